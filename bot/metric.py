"""A problem's metric: its direction, kind and range, and what its evaluation set can detect.

A proportion runs from 0 to 1 (accuracy, recall, precision, F1, error rate); a bounded score
runs between the low and high the team gave (either may be open); an unbounded metric
(latency, loss) takes any finite value. `n` is the evaluation set's size, where it applies:
it gives a single measured proportion its noise and tells what change the set can detect.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.noise import CONFIDENCE, detectable_change, examples_needed
from bot.text import parse_count
from storage.problems import Direction, MetricKind

# A value further from everything logged than this many spreads of it asks for confirmation.
IMPLAUSIBLE = 10.0
EVAL_SIZE_MAX = 2**31 - 1  # what an integer column holds on every engine


class Defined(Protocol):
    """What a problem (its row or its record) says of its metric."""

    @property
    def direction(self) -> Direction: ...
    @property
    def metric_name(self) -> str | None: ...
    @property
    def metric_kind(self) -> MetricKind | None: ...
    @property
    def metric_low(self) -> float | None: ...
    @property
    def metric_high(self) -> float | None: ...
    @property
    def eval_size(self) -> int | None: ...


class Judged(Defined, Protocol):
    """A problem with the references its experiments are judged against."""

    @property
    def baseline(self) -> float | None: ...
    @property
    def target(self) -> float | None: ...


@dataclass(frozen=True)
class Metric:
    direction: Direction
    kind: MetricKind = MetricKind.UNBOUNDED
    low: float | None = None  # BOUNDED only; a proportion is 0..1 whatever these say
    high: float | None = None
    n: int | None = None  # the evaluation set's size
    name: str | None = None  # as the team typed it (escape it before showing it in mrkdwn)

    def __post_init__(self) -> None:
        if self.n is not None and self.n < 1:
            raise ValueError(f"an evaluation set has at least 1 example, not {self.n}")
        low, high = self.range
        if low is not None and high is not None and not low < high:
            raise ValueError(f"a bounded score's low ({low:g}) must be below its high ({high:g})")

    @classmethod
    def of(cls, problem: Defined) -> Metric:
        """What a problem says of its metric; a kind not said is taken as unbounded (any
        value), and n as not known."""
        return cls(
            problem.direction,
            problem.metric_kind or MetricKind.UNBOUNDED,
            problem.metric_low,
            problem.metric_high,
            problem.eval_size,
            problem.metric_name,
        )

    @property
    def range(self) -> tuple[float | None, float | None]:
        """The lowest and highest values the metric can take (None: open on that side)."""
        if self.kind == MetricKind.PROPORTION:
            return 0.0, 1.0
        if self.kind == MetricKind.BOUNDED:
            return self.low, self.high
        return None, None

    def on(self, eval_size: int | None) -> Metric:
        """The metric as measured on an experiment's own evaluation set (of `eval_size`
        examples; the problem's set when it gave none)."""
        if eval_size is None or eval_size < 1:
            return self
        return dataclasses.replace(self, n=eval_size)

    @property
    def label(self) -> str:
        return self.name or "The metric"


def judged_by(problem: Judged, eval_size: int | None = None) -> Metric | None:
    """The metric an experiment evaluated on `eval_size` examples (else the problem's set) is
    judged by; None when the problem has none to judge by (no metric named, no baseline and
    no target): its experiments are unjudged."""
    if problem.metric_name is None and problem.baseline is None and problem.target is None:
        return None
    return Metric.of(problem).on(eval_size)


def out_of_range(value: float, metric: Metric) -> str | None:
    """Why `value` cannot be a value of `metric`, naming its range; None when it can."""
    low, high = metric.range
    if (low is None or value >= low) and (high is None or value <= high):
        return None
    name, typed = metric.label[:1].upper() + metric.label[1:], f"{value:g}"
    if metric.kind == MetricKind.PROPORTION:
        hint = (
            f" If you meant {typed}%, type {value / 100:g}."
            if 1 < value <= 100
            else " Type it as a fraction, e.g. 0.83 for 83%."
        )
        return f"{name} is a proportion: values run from 0 to 1; you typed {typed}.{hint}"
    if low is not None and high is not None:
        span = f"values run from {low:g} to {high:g}"
    elif low is not None:
        span = f"values run from {low:g} up"
    else:
        span = f"values run up to {high:g}"
    return f"{name} is a bounded score: {span}; you typed {typed}. Type a value in that range."


def parse_eval_size(text: str) -> int:
    """How many examples were evaluated, as typed; ValueError saying what to type instead."""
    try:
        return parse_count(text, least=1, most=EVAL_SIZE_MAX)
    except ValueError:
        raise ValueError(
            f"'{text.strip()[:20]}' is not a number of examples. Type how many examples were "
            "evaluated, as a whole number above 0, e.g. 2000."
        ) from None


def implausible(value: float, known: Sequence[float]) -> bool:
    """Whether `value` lies more than 10 spreads outside the known values (the baseline, the
    target and past results), so that it is likely a typo (1e9 for 0.9).

    The spread is the known values' range. With one known value, or all alike, it is that
    value's size (1 around 0): a latency of 120 then accepts up to 1,320, a recall of 0.6 up
    to 6.6. A wild value confirmed earlier widens the range, so it only ever asks less.
    """
    known = [k for k in known if math.isfinite(k)]
    if not known:
        return False
    low, high = min(known), max(known)
    spread = (high - low) or abs(low) or 1.0
    return max(low - value, value - high) > IMPLAUSIBLE * spread


def detectable(metric: Metric, baseline: float | None) -> float | None:
    """The smallest change the evaluation set can tell from noise, for a proportion with a
    set size and a baseline; None otherwise."""
    if metric.kind != MetricKind.PROPORTION or metric.n is None or baseline is None:
        return None
    if not 0 <= baseline <= 1:
        return None
    return detectable_change(metric.n, baseline)


def target_too_close(metric: Metric, baseline: float | None, target: float | None) -> float | None:
    """The change the evaluation set can detect when the target is closer to the baseline
    than that (so reaching it could not be told from noise); None when it is not."""
    change = detectable(metric, baseline)
    if change is None or target is None or baseline is None:
        return None
    return change if abs(target - baseline) < change else None


def detectable_note(metric: Metric, baseline: float | None) -> str | None:
    """'with 2,000 examples at 0.62, changes under ±0.03 are noise at 95%', when known."""
    change = detectable(metric, baseline)
    if change is None or metric.n is None or baseline is None:
        return None
    return (
        f"with {metric.n:,} examples at {baseline:.4g}, changes under ±{change:.2g} "
        f"are noise at {CONFIDENCE:.0%}"
    )


def target_warning(metric: Metric, baseline: float | None, target: float | None) -> str | None:
    """The warning and its fix when the target is within the evaluation set's noise."""
    change = target_too_close(metric, baseline, target)
    if change is None or metric.n is None or baseline is None or target is None:
        return None
    gap = abs(target - baseline)
    fix = (
        f"an evaluation set of {examples_needed(gap, baseline):,} examples would tell it apart"
        if gap > 0
        else "set a target that differs from the baseline"
    )
    return (
        f"The target {target:.4g} is {gap:.2g} from the baseline {baseline:.4g}, less than the "
        f"±{change:.2g} that {metric.n:,} examples can tell from noise: {fix}."
    )
