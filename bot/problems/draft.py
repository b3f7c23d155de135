"""What a person typed for a problem, and the checks that turn it into column values, every
bad field reported at once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from bot import checks
from bot.errors import ValidationFailed
from bot.metric import Metric, out_of_range, parse_eval_size
from bot.text import parse_number, visible
from storage.problems import Direction, MetricKind, Track
from storage.types import utcnow

E = TypeVar("E", Direction, Track, MetricKind)

TITLE_MAX = 150


@dataclass(frozen=True, kw_only=True)
class ProblemDraft:
    """What a person typed for a problem, before checks; every field optional but the title."""

    title: str
    statement: str | None = None
    user_value: str | None = None
    feasibility: str | None = None
    metric_name: str | None = None
    metric_definition: str | None = None
    direction: str | None = None
    metric_kind: str | None = None
    metric_low: str | None = None
    metric_high: str | None = None
    eval_size: str | None = None
    baseline: str | None = None
    target: str | None = None
    guardrails: str | None = None
    data_sources: str | None = None
    prior_work: str | None = None
    owner_id: str | None = None
    track: str | None = None
    review_on: str | None = None
    kill_criteria: str | None = None


def _number(value: str | None, *, name: str, errors: dict[str, str]) -> float | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return parse_number(value)
    except ValueError:
        errors[name] = f"'{value[:40]}' is not a number. Type a plain number such as 0.83 or 12.5."
        return None


def _earliest_today() -> date:
    # The date in the world's earliest timezone (UTC-12): a date before it is in the
    # past for everyone, wherever the person typing it lives.
    return (utcnow() - timedelta(hours=12)).date()


def _review_on(value: str | None, errors: dict[str, str]) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        errors["review_on"] = f"'{value[:20]}' is not a date. Pick one, or type it as 2026-12-31."
        return None
    if parsed < _earliest_today():
        errors["review_on"] = (
            f"{parsed.isoformat()} is in the past. Pick a review date from today on."
        )
        return None
    return parsed


def _choice(
    value: str | None, enum: type[E], default: E | None, name: str, errors: dict[str, str]
) -> E | None:
    if not value:
        return default
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        errors[name] = f"'{value[:20]}' is not one of: {allowed}."
        return default


def _eval_size(value: str | None, errors: dict[str, str]) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return parse_eval_size(value)
    except ValueError as error:
        errors["eval_size"] = str(error)
        return None


def _check_range(values: dict[str, Any], errors: dict[str, str]) -> None:
    """A bounded score has a range (either side may be open), its low below its high, and no
    other kind has one; a baseline or a target outside the metric's range is refused."""
    kind, low, high = values["metric_kind"], values["metric_low"], values["metric_high"]
    if kind == MetricKind.BOUNDED:
        if low is None and high is None and not errors.keys() & {"metric_low", "metric_high"}:
            errors["metric_low"] = (
                "A bounded score needs its range: type the lowest value it can take, the "
                "highest, or both (e.g. 0 and 100)."
            )
        elif low is not None and high is not None and low >= high:
            errors["metric_high"] = (
                f"The highest value ({high:g}) must be above the lowest ({low:g})."
            )
    else:
        for name in ("metric_low", "metric_high"):
            if values[name] is not None:
                errors[name] = (
                    "Only a bounded score has a range: pick 'Bounded score' as the metric's "
                    "kind, or leave this empty."
                )
    if kind is None or errors.keys() & {"metric_kind", "metric_low", "metric_high"}:
        return
    metric = Metric(values["direction"], kind, low, high, name=values["metric_name"])
    for name in ("baseline", "target"):
        if values[name] is None or name in errors:
            continue
        if why := out_of_range(values[name], metric):
            errors[name] = why


SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")


def check(draft: ProblemDraft) -> dict[str, Any]:
    """Turn a draft into column values, or raise ValidationFailed naming each bad field."""
    errors: dict[str, str] = {}
    title = " ".join((draft.title or "").split())
    if not visible(title):
        errors["title"] = "Give the problem a title, e.g. 'Churn model misses new users'."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the title under {TITLE_MAX} characters (it has {len(title)})."
    values: dict[str, Any] = {
        "title": title,
        "statement": checks.text(draft.statement, name="statement", errors=errors),
        "user_value": checks.text(draft.user_value, name="user_value", errors=errors),
        "feasibility": checks.text(draft.feasibility, name="feasibility", errors=errors),
        "metric_name": checks.text(draft.metric_name, name="metric_name", errors=errors, limit=200),
        "metric_definition": checks.text(
            draft.metric_definition, name="metric_definition", errors=errors
        ),
        "direction": _choice(draft.direction, Direction, Direction.HIGHER, "direction", errors),
        "metric_kind": _choice(draft.metric_kind, MetricKind, None, "metric_kind", errors),
        "metric_low": _number(draft.metric_low, name="metric_low", errors=errors),
        "metric_high": _number(draft.metric_high, name="metric_high", errors=errors),
        "eval_size": _eval_size(draft.eval_size, errors),
        "baseline": _number(draft.baseline, name="baseline", errors=errors),
        "target": _number(draft.target, name="target", errors=errors),
        "guardrails": checks.text(draft.guardrails, name="guardrails", errors=errors),
        "data_sources": checks.text(draft.data_sources, name="data_sources", errors=errors),
        "prior_work": checks.text(draft.prior_work, name="prior_work", errors=errors),
        "track": _choice(draft.track, Track, Track.DISCOVERY, "track", errors),
        "review_on": _review_on(draft.review_on, errors),
        "kill_criteria": checks.text(draft.kill_criteria, name="kill_criteria", errors=errors),
    }
    if draft.owner_id and SLACK_USER_ID.fullmatch(draft.owner_id):
        values["owner_id"] = draft.owner_id
    elif draft.owner_id:
        # Rendered as a mention (<@id>) in every card: anything but an id could ping or link.
        errors["owner_id"] = "Pick the owner from the list of people."
    _check_range(values, errors)
    baseline, target = values["baseline"], values["target"]
    if (
        isinstance(baseline, float)
        and isinstance(target, float)
        and not errors.keys() & {"baseline", "target"}
    ):
        higher = values["direction"] == Direction.HIGHER
        if target == baseline:
            errors["target"] = (
                "The target equals the baseline; set the value that would count as success."
            )
        elif higher and target < baseline:
            errors["target"] = (
                f"Higher is better, so the target should be above the baseline ({baseline:g}). "
                "Raise it, or switch the direction to 'lower is better'."
            )
        elif not higher and target > baseline:
            errors["target"] = (
                f"Lower is better, so the target should be below the baseline ({baseline:g}). "
                "Lower it, or switch the direction to 'higher is better'."
            )
    if errors:
        raise ValidationFailed(errors)
    return values
