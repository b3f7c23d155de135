"""Messages about experiments: the confirmation with its outcome, details and help."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from bot.blocks import actions, button, context, moment, paragraphs, section, sections, user
from bot.experiments.service import ExperimentRecord, Logged
from bot.ids import ActionId
from bot.metric import judged_by
from bot.problems.service import ProblemRecord
from bot.text import escape
from bot.verdict import Judgement, phrase
from storage.experiments import Outcome
from storage.trackers import FetchState

Blocks = list[dict[str, Any]]
MEAN_DECIMALS_MAX = 12

OUTCOME_LABEL = {
    Outcome.MET_TARGET: ":white_check_mark: Met target",
    Outcome.IMPROVED: ":chart_with_upwards_trend: Improved",
    Outcome.BEAT_BASELINE: ":arrow_upper_right: Better than baseline",
    Outcome.INCONCLUSIVE: ":grey_question: Inconclusive (within noise)",
    Outcome.NO_GAIN: ":heavy_minus_sign: No gain",
    Outcome.WORSE: ":chart_with_downwards_trend: Worse",
    Outcome.BROKEN: ":boom: Broken (nothing measured)",
    Outcome.UNJUDGED: ":white_circle: Unjudged (no metric to judge by)",
}


OWED = {
    Outcome.NO_GAIN: "This approach did not improve the metric. An error analysis tells the team why.",
    Outcome.WORSE: "This approach made the metric worse. An error analysis tells the team why.",
    Outcome.INCONCLUSIVE: (
        "This approach showed no gain beyond noise. An error analysis tells the team where "
        "its errors are; more seeds would say whether it helped at all."
    ),
}


def num(value: float | None) -> str:
    return "—" if value is None else f"{value:.4g}"


def _decimals(value: float) -> int:
    """How many decimals `value` was typed with (0.71: 2; 120: 0; 1e-05: 5)."""
    exponent = Decimal(repr(value)).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def mean(values: Sequence[float]) -> str:
    """The mean to one decimal more than the most precise value: 0.71 0.69 0.72 → 0.707."""
    average = statistics.fmean(values)
    decimals = min(MEAN_DECIMALS_MAX, max(map(_decimals, values)) + 1)
    shown = f"{average:.{decimals}f}"
    shown = shown.rstrip("0").rstrip(".") if "." in shown else shown
    return shown if len(shown) <= MEAN_DECIMALS_MAX else num(average)


def measured(e: ExperimentRecord, *, each: bool = True) -> str:
    """`0.707 (3 seeds: 0.71, 0.69, 0.72) · n=2,000`, the seeds' values only when `each`;
    one seed's value alone; a dash when nothing was measured."""
    seeds = e.seeds
    if len(seeds) < 2:
        shown = num(e.value)
    elif each:
        shown = f"{mean(seeds)} ({len(seeds)} seeds: {', '.join(map(num, seeds))})"
    else:
        shown = f"{mean(seeds)} over {len(seeds)} seeds"
    return shown if e.eval_size is None or not each else f"{shown} · n={e.eval_size:,}"


def link(experiment: ExperimentRecord) -> str | None:
    """The run link, labelled by what it points at (its URL was checked when saved)."""
    run = experiment.run_link
    return None if run is None else f"<{run.url}|{escape(run.label)}>"


def headline(logged: Logged) -> str:
    e, p = logged.experiment, logged.problem
    return f"*{e.ref}* on *{p.ref} · {escape(p.title)}*: *{_label(e)}*"


def _label(e: ExperimentRecord) -> str:
    """The outcome; while the value is read from the run (or could not be), that instead."""
    if e.run_value is not None and not e.seeds:
        if e.run_value.state == FetchState.FETCHING:
            return ":hourglass_flowing_sand: Fetching its value from the run"
        if e.run_value.state == FetchState.FAILED:
            return ":warning: Its value could not be read from the run"
    return OUTCOME_LABEL[e.outcome]


def _value_source(e: ExperimentRecord) -> str | None:
    """Where the value came from, or why the run could not be read."""
    if e.run_value is None:
        return None
    if e.run_value.state == FetchState.FETCHED and e.run_value.source:
        said = f"*Value from:* {escape(e.run_value.source)}"
        if e.run_value.params_changed:
            said += f"\n*Params:* {escape(e.run_value.params_changed)}"
        return said
    if e.run_value.state == FetchState.FAILED and e.run_value.error:
        return f"*Value not read:* {escape(e.run_value.error)}"
    return None


def verdict(problem: ProblemRecord, experiment: ExperimentRecord, judgement: Judgement) -> str:
    """'*recall* 0.70 ± 0.015 (3 seeds): better than baseline 0.62 (+0.08, outside noise); …'"""
    said = phrase(judgement, judged_by(problem, experiment.eval_size))
    if judgement.result is None:
        return said
    return f"*{escape(problem.metric_name or 'Metric')}* {said}"


def _measures(problem: ProblemRecord, e: ExperimentRecord) -> str | None:
    """'Target 0.80 · seeds 0.71, 0.69, 0.72 · n=2,000', the parts there are."""
    parts = []
    if problem.target is not None:
        parts.append(f"Target {num(problem.target)}")
    if len(e.seeds) > 1:
        parts.append(f"seeds {', '.join(map(num, e.seeds))}")
    if e.eval_size is not None:
        parts.append(f"n={e.eval_size:,}")
    return " · ".join(parts) or None


def _caveats(logged: Logged) -> str | None:
    caveats = logged.judgement.caveats
    if not caveats:
        return None
    p = logged.problem
    fix = (
        f" Set them with Edit details on `/problem show {p.ref}`."
        if p.baseline is None or p.target is None
        else ""
    )
    return "Note: " + "; ".join(caveats) + "." + fix


def _details(e: ExperimentRecord) -> Blocks:
    short = []
    if e.dataset:
        short.append(f"*Dataset:* {escape(e.dataset)}")
    if e.metrics:
        shown = ", ".join(f"{escape(name)} {num(value)}" for name, value in e.metrics.items())
        short.append(f"*Other metrics:* {shown}")
    if (run := link(e)) is not None:
        short.append(f"*Run:* {run}")
    if (source := _value_source(e)) is not None:
        short.append(source)
    blocks = sections(short)
    for label, value in (
        ("Hypothesis", e.hypothesis),
        ("Approach", e.approach),
        ("What broke" if e.outcome == Outcome.BROKEN else "Notes", e.notes),
    ):
        if value:
            blocks += paragraphs(f"*{label}:* {escape(value)}")
    return blocks


def confirmation(logged: Logged) -> Blocks:
    """What the channel sees when an experiment is logged."""
    e = logged.experiment
    blocks: Blocks = [
        section(headline(logged)),
        section(verdict(logged.problem, e, logged.judgement)),
    ]
    if (measures := _measures(logged.problem, e)) is not None:
        blocks.append(context(measures))
    blocks += _details(e)
    if (caveats := _caveats(logged)) is not None:
        blocks.append(context(caveats))
    if e.owes_analysis:
        blocks.append(section(OWED[e.outcome]))
        blocks.append(
            actions(
                button(
                    "Start error analysis",
                    action_id=ActionId.ANALYSIS_START,
                    value=str(e.number),
                    style="primary",
                )
            )
        )
    if e.analyses:
        refs = ", ".join(f"A-{n}" for n in e.analyses)
        blocks.append(context(f":mag: Error analysis: {refs} (in the thread)"))
    source = f" · from <{e.source_permalink}|this message>" if e.source_permalink else ""
    blocks.append(context(f"Logged by {user(e.author_id)}{source} · `/experiment show {e.ref}`"))
    return blocks


def confirmation_text(logged: Logged) -> str:
    e = logged.experiment
    label = _label(e).split(" ", 1)[1]
    return f"{e.ref} on {logged.problem.ref}: {label.lower()} ({measured(e, each=False)})"


def detail(logged: Logged) -> Blocks:
    """Everything recorded about one experiment, with buttons to edit it."""
    e = logged.experiment
    blocks = confirmation(logged)[:-1]
    blocks.append(
        context(
            f"Logged by {user(e.author_id)} on {moment(e.created_at)}"
            + (f" · from <{e.source_permalink}|this message>" if e.source_permalink else "")
            + f" · `/experiment history {e.ref}`"
        )
    )
    blocks.append(actions(button("Edit", action_id=ActionId.EXPERIMENT_EDIT, value=str(e.number))))
    return blocks


def line(e: ExperimentRecord) -> str:
    """One line per experiment, for a problem's details."""
    owed = " · _owes an error analysis_" if e.owes_analysis else ""
    what = escape((e.approach or e.notes or "").split("\n")[0][:80])
    return f"*{e.ref}* {measured(e, each=False)} {OUTCOME_LABEL[e.outcome]} {what}{owed}"


HELP = """*`/experiment`*: log an approach you tried, judged against its problem's metric.
• `/experiment`: open the form (problem, hypothesis, approach, dataset, values, examples evaluated, run link, notes)
• `/experiment P-12`: the form, with P-12 chosen
• `/experiment P-12 0.83 added hard negatives`: log a result in one line
• `/experiment P-12 0.71 0.69 0.72 n=2000 class-balanced sampling`: one value per seed (every number after the id, up to the first word), and the examples evaluated; the result is their mean
• `/experiment P-12 broken OOM at step 3`: a run where nothing could be measured
• `/experiment P-12 &lt;MLflow run link&gt; tried focal loss`: the value read from the run (the problem's `metric-key`), logged at once and filled in when MLflow answers; a run link in the form with no value does the same
• `/experiment show E-3`, `/experiment history E-3`, `/experiment edit E-3`
• `/experiment delete E-3`, `/experiment restore E-3`
• `/experiment help`: this message"""
