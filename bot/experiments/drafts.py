"""What a person types for an experiment: the draft, its checks, and the quick form's draft."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot import checks
from bot.errors import ValidationFailed
from bot.experiments import runlinks
from bot.metric import Metric, out_of_range, parse_eval_size
from bot.text import parse_number, parse_numbers

if TYPE_CHECKING:
    from bot.commands import QuickLog

DATASET_MAX = 300
METRICS_MAX = 20
METRIC_NAME_MAX = 64
SEEDS_MAX = 100
URL = re.compile(r"https?://\S+")
METRIC_LINE = re.compile(r"^(?P<name>[^:=]+?)\s*[:=]\s*(?P<value>\S+)$")


@dataclass(frozen=True, kw_only=True)
class ExperimentDraft:
    """What a person typed for an experiment, before checks."""

    problem: str | None = None
    hypothesis: str | None = None
    approach: str | None = None
    dataset: str | None = None
    value: str | None = None  # one value, or one per seed
    eval_size: str | None = None
    metrics: str | None = None
    run_url: str | None = None
    notes: str | None = None
    broken: bool = False  # said so (`/experiment P-12 broken …`): no value to read from a run

    @property
    def from_run(self) -> bool:
        """No value typed, and a run link to read it from (the tracker's, after the ack)."""
        if self.broken or (self.value or "").strip() or not (self.run_url or "").strip():
            return False
        return runlinks.recognise(self.run_url.strip()).kind in runlinks.READABLE


def _values(text: str | None, metric: Metric | None, errors: dict[str, str]) -> list[float]:
    """Each seed's value; none when the run broke and nothing was measured."""
    text = (text or "").strip()
    try:
        values = parse_numbers(text)
    except ValueError as error:
        errors["value"] = (
            f"'{str(error)[:40]}' is not a number. Type the metric's value, e.g. 0.83, or one "
            "per seed separated by spaces: 0.71 0.69 0.72. Leave it empty if the run broke "
            "and nothing could be measured."
        )
        return []
    if len(values) > SEEDS_MAX:
        errors["value"] = (
            f"Give at most {SEEDS_MAX} values, one per seed (there are {len(values)})."
        )
    elif metric is not None:
        refused = (out_of_range(value, metric) for value in values)
        if (why := next(filter(None, refused), None)) is not None:
            errors["value"] = why
    return values


def _eval_size(text: str | None, metric: Metric | None, errors: dict[str, str]) -> int | None:
    """How many examples the run was evaluated on: as typed, else the problem's."""
    text = (text or "").strip()
    if not text:
        return metric.n if metric else None
    try:
        return parse_eval_size(text)
    except ValueError as error:
        errors["eval_size"] = str(error)
        return None


def parse_metrics(text: str | None) -> dict[str, float]:
    """`name: value` lines into a dict; raises ValueError naming the first bad line."""
    metrics: dict[str, float] = {}
    for index, line in checks.lines(text):
        match = METRIC_LINE.match(line)
        if not match:
            raise ValueError(
                f"Line {index} ('{line[:40]}') should read `name: value`, e.g. `p95_ms: 41`."
            )
        name = match["name"].strip()
        if len(name) > METRIC_NAME_MAX:
            raise ValueError(f"Line {index}: keep metric names under {METRIC_NAME_MAX} characters.")
        if name in metrics:
            raise ValueError(f"Line {index}: '{name[:40]}' is given twice.")
        try:
            metrics[name] = parse_number(match["value"])
        except ValueError:
            raise ValueError(
                f"Line {index}: '{match['value'][:20]}' is not a number (`{name[:40]}: 41`)."
            ) from None
    if len(metrics) > METRICS_MAX:
        raise ValueError(f"Give at most {METRICS_MAX} other metrics (there are {len(metrics)}).")
    return metrics


def check(draft: ExperimentDraft, *, metric: Metric | None = None) -> dict[str, Any]:
    """Column values from a draft (the problem aside), or ValidationFailed naming each bad field.

    `metric` is the problem's: values outside its range are refused, and a run evaluated on
    no number of examples said was evaluated on its evaluation set. `value` is the mean of
    the seeds' `values`."""
    errors: dict[str, str] = {}
    seeds = _values(draft.value, metric, errors)
    values: dict[str, Any] = {
        "hypothesis": checks.text(draft.hypothesis, name="hypothesis", errors=errors),
        "approach": checks.text(draft.approach, name="approach", errors=errors),
        "dataset": checks.text(draft.dataset, name="dataset", errors=errors, limit=DATASET_MAX),
        "value": statistics.fmean(seeds) if seeds else None,
        "values": seeds,
        "eval_size": _eval_size(draft.eval_size, metric, errors),
        "run_url": checks.text(draft.run_url, name="run_url", errors=errors, limit=2000),
        "notes": checks.text(draft.notes, name="notes", errors=errors),
    }
    try:
        values["metrics"] = parse_metrics(draft.metrics)
    except ValueError as error:
        errors["metrics"] = str(error)
    if (
        not seeds
        and not draft.from_run
        and "value" not in errors
        and not values["notes"]
        and "notes" not in errors
    ):
        errors["notes"] = (
            "With no value the run is logged as broken: say what broke here, e.g. OOM at "
            "step 3 (or give the metric's value above)."
        )
    if values["run_url"] and "run_url" not in errors:
        why_not = runlinks.problem_with(values["run_url"])
        if why_not:
            errors["run_url"] = why_not
    if errors:
        raise ValidationFailed(errors)
    return values


def quick_draft(typed: QuickLog) -> ExperimentDraft:
    """`/experiment P-12 0.71 0.69 n=2000 <note>`: the first link in the note is taken as the
    run link; `/experiment P-12 <run link> <note>`, the values read from that run."""
    broken = typed.values.lower() == "broken"
    return ExperimentDraft(
        problem=str(typed.problem),
        value=None if broken else typed.values or None,
        eval_size=typed.eval_size,
        notes=typed.note or None,
        run_url=typed.run_url or first_link(typed.note),
        broken=broken,
    )


def first_link(text: str) -> str | None:
    """The first web link in text, without the punctuation that ends a sentence."""
    link = URL.search(text)
    return link.group(0).rstrip(".,;)") if link else None
