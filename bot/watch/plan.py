"""A watch plan's terms, read from what people type, and the rule for an alert. Pure.

The alert threshold is absolute (`0.80`: an alert once the production value is worse than
0.80) or relative to the value at ship (`-5%`: once it is 5% worse). Worse follows the
metric's direction: lower for accuracy, higher for latency. A shift in the input data
flagged at a check is an alert whatever the value.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from bot.errors import UsageError, ValidationFailed
from bot.ids import WatchField
from storage.problems import Direction
from storage.watch import WatchPlan

CHECK_WORDS = {"daily": 1, "weekly": 7, "fortnightly": 14, "biweekly": 14, "monthly": 30}
RETRAIN_WORDS = {"monthly": 30, "quarterly": 90, "yearly": 365}
NO_RETRAIN = {"", "off", "none", "never", "no"}
DAYS = re.compile(r"^(?:every\s+)?([0-9]{1,3})\s*(?:d|days?)?$")
RELATIVE = re.compile(r"^-?([0-9]+(?:\.[0-9]+)?)\s*%$")
DAYS_MAX = 366
METRIC_MAX = 200
WATCH_EXAMPLE = "/problem decide P-12 ship recall is at target alert=-5% check=weekly retrain=90d"
DEFAULT_ALERT = "-5%"


@dataclass(frozen=True, kw_only=True)
class WatchDraft:
    """The plan as typed; None is not said (the defaults apply)."""

    metric: str | None = None
    value: str | None = None
    alert: str | None = None
    check: str | None = None
    retrain: str | None = None
    run: str | None = None
    key: str | None = None


@dataclass(frozen=True, kw_only=True)
class WatchSource:
    """Where the ritual reads the production value: a run on the workspace's MLflow."""

    run_id: str
    key: str

    @property
    def label(self) -> str:
        return f"MLflow run {self.run_id[:12]} (`{self.key}`)"


@dataclass(frozen=True, kw_only=True)
class WatchTerms:
    metric_name: str
    shipped_value: float
    alert_value: float  # a value, or the fraction worse than shipped_value when relative
    alert_relative: bool
    check_every_days: int
    retrain_every_days: int | None
    source: WatchSource | None = None

    @classmethod
    def of(cls, plan: WatchPlan) -> WatchTerms:
        source = None
        if plan.source_run and plan.source_key:
            source = WatchSource(run_id=plan.source_run, key=plan.source_key)
        return cls(
            metric_name=plan.metric_name,
            shipped_value=plan.shipped_value,
            alert_value=plan.alert_value,
            alert_relative=plan.alert_relative,
            check_every_days=plan.check_every_days,
            retrain_every_days=plan.retrain_every_days,
            source=source,
        )

    def threshold(self, direction: Direction) -> float:
        """The production value past which a check is an alert."""
        if not self.alert_relative:
            return self.alert_value
        sign = -1 if direction == Direction.HIGHER else 1
        return self.shipped_value * (1 + sign * self.alert_value)

    def past(self, value: float, direction: Direction) -> bool:
        """Is `value` worse than the threshold?"""
        limit = self.threshold(direction)
        return value < limit if direction == Direction.HIGHER else value > limit

    def alert_text(self, direction: Direction) -> str:
        worse = "below" if direction == Direction.HIGHER else "above"
        if self.alert_relative:
            limit = self.threshold(direction)
            return f"{self.alert_value * 100:g}% worse than at ship ({worse} {limit:.4g})"
        return f"{worse} {self.alert_value:g}"

    def summary(self, direction: Direction) -> str:
        """`recall at 0.86 at ship · alert below 0.80 · checked weekly · retrained every 90 days`."""
        retrain = (
            f"retrained every {self.retrain_every_days} days"
            if self.retrain_every_days
            else "no retraining cadence"
        )
        read = f" · read from {self.source.label}" if self.source else ""
        return (
            f"{self.metric_name} at {self.shipped_value:g} at ship · alert "
            f"{self.alert_text(direction)} · checked {cadence(self.check_every_days)} · {retrain}"
            f"{read}"
        )


def cadence(days: int) -> str:
    named = {d: w for w, d in CHECK_WORDS.items() if w != "biweekly"}
    return named.get(days, f"every {days} days")


def number(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _days(text: str, words: dict[str, int]) -> int | None:
    word = text.strip().lower()
    if word in words:
        return words[word]
    match = DAYS.match(word)
    if match and 1 <= int(match.group(1)) <= DAYS_MAX:
        return int(match.group(1))
    return None


def _alert(text: str) -> tuple[float, bool] | None:
    word = text.strip().replace(" ", "")
    match = RELATIVE.match(word)
    if match:
        share = float(match.group(1)) / 100
        return (share, True) if 0 < share < 1 else None
    value = number(word)
    return None if value is None else (value, False)


def terms(
    draft: WatchDraft,
    *,
    metric: str | None,
    best: float | None,
    fields: bool,
) -> WatchTerms:
    """The plan from `draft`, the problem's `metric` and its `best` value (its best
    experiment's, else its target) filling what it leaves out; every wrong field said at once (per field for a form, else in one line)."""
    errors: dict[str, str] = {}
    name = (draft.metric or "").strip() or (metric or "").strip()
    if not name:
        errors[WatchField.METRIC] = (
            "Say which production metric to watch (the problem has none), e.g. `metric=recall`."
        )
    elif len(name) > METRIC_MAX:
        errors[WatchField.METRIC] = f"Keep the metric's name under {METRIC_MAX} characters."
    value = best
    if draft.value is not None and draft.value.strip():
        value = number(draft.value)
        if value is None:
            errors[WatchField.VALUE] = (
                f"'{draft.value.strip()[:20]}' is not a number: say the value at ship, e.g. `value=0.86`."
            )
    elif value is None:
        errors[WatchField.VALUE] = (
            "No experiment has a value and the problem has no target: say the value at ship, "
            "e.g. `value=0.86`."
        )
    alert = _alert(draft.alert if draft.alert and draft.alert.strip() else DEFAULT_ALERT)
    if alert is None:
        errors[WatchField.ALERT] = (
            f"'{(draft.alert or '').strip()[:20]}' is not an alert threshold: give a value "
            "(`alert=0.80`) or a drop from the value at ship between 0% and 100% (`alert=-5%`)."
        )
    check = _days(draft.check or "weekly", CHECK_WORDS)
    if check is None:
        errors[WatchField.CHECK] = (
            f"'{(draft.check or '').strip()[:20]}' is not a check cadence: say daily, weekly, "
            f"fortnightly, monthly or a number of days up to {DAYS_MAX} (`check=14d`)."
        )
    retrain_text = (draft.retrain or "").strip().lower()
    retrain = None if retrain_text in NO_RETRAIN else _days(retrain_text, RETRAIN_WORDS)
    if retrain is None and retrain_text not in NO_RETRAIN:
        errors[WatchField.RETRAIN] = (
            f"'{retrain_text[:20]}' is not a retraining cadence: say a number of days up to "
            f"{DAYS_MAX} (`retrain=90d`), monthly, quarterly, or leave it out."
        )
    if errors:
        if fields:
            raise ValidationFailed(errors)
        raise UsageError(" ".join(errors.values()) + f" Example: `{WATCH_EXAMPLE}`.")
    assert value is not None and alert is not None and check is not None
    return WatchTerms(
        metric_name=name,
        shipped_value=value,
        alert_value=alert[0],
        alert_relative=alert[1],
        check_every_days=check,
        retrain_every_days=retrain,
    )


def split_options(text: str) -> tuple[str, WatchDraft]:
    """`recall is at target alert=-5% check=weekly` → ("recall is at target", the draft):
    a ship decision's rationale with the watch plan's `key=value` words taken out."""
    kept, said = [], {}
    for word in text.split():
        key, eq, value = word.partition("=")
        if eq and key.lower() in {f.value for f in WatchField}:
            said[key.lower()] = value
        else:
            kept.append(word)
    return " ".join(kept), WatchDraft(**said)
