"""A result: several seeds' values of one approach, their mean and its 95% interval, and how
two results compare with the noise of both. Pure functions.

The interval is Student's t over two or more seeds that differ (cut to the metric's range);
else, for a proportion with an evaluation set size, Wilson's interval from `n`; else no
noise is known. Two results differ beyond noise when the interval of their difference
excludes zero: Welch's when both come from seeds, MOVER's otherwise (bot/noise.py). Values
are shown to the places their noise is worth.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable
from dataclasses import dataclass

from bot.metric import Metric, MetricKind
from bot.noise import mover, t_interval, welch, wilson
from bot.outcome import SAME, Delta
from storage.problems import Direction


class Noise(enum.StrEnum):
    SEEDS = "seeds"  # a t interval over the seeds' spread
    EVALUATION_SET = "evaluation_set"  # a Wilson interval from the evaluation set's size
    UNKNOWN = "unknown"


class Standing(enum.StrEnum):
    BETTER = "better"
    WORSE = "worse"
    WITHIN_NOISE = "within_noise"
    SAME = "same"  # equal, with no noise known


@dataclass(frozen=True)
class Result:
    """Several seeds' values of one approach: their mean and its 95% interval."""

    values: tuple[float, ...]
    mean: float
    low: float | None  # None when no noise is known
    high: float | None
    noise: Noise

    @classmethod
    def of(cls, values: Iterable[float], metric: Metric | None = None) -> Result:
        values = tuple(values)
        if not values:
            raise ValueError("a result needs at least one value")
        mean = math.fsum(values) / len(values)
        half = t_interval(values)
        bottom, top = (None, None) if metric is None else metric.range
        if half is not None:
            # Cut to the range, but never past the mean (a value out of range is refused
            # before it is judged; if one gets here its interval still holds its mean).
            low = mean - half if bottom is None else min(mean, max(bottom, mean - half))
            high = mean + half if top is None else max(mean, min(top, mean + half))
            return cls(values, mean, low, high, Noise.SEEDS)
        if (
            metric is not None
            and metric.kind == MetricKind.PROPORTION
            and metric.n is not None
            and 0 <= mean <= 1
        ):
            low, high = wilson(mean, metric.n)
            return cls(values, mean, low, high, Noise.EVALUATION_SET)
        return cls(values, mean, None, None, Noise.UNKNOWN)

    @property
    def seeds(self) -> int:
        return len(self.values)

    @property
    def half_width(self) -> float | None:
        return None if self.low is None or self.high is None else (self.high - self.low) / 2

    def bounds(self) -> tuple[float, float]:
        """The interval, or the mean alone when no noise is known."""
        if self.low is None or self.high is None:
            return self.mean, self.mean
        return self.low, self.high


@dataclass(frozen=True)
class Comparison:
    """A result against a reference: the change and whether it is beyond noise."""

    reference: Result
    delta: Delta  # the mean minus the reference's
    low: float | None  # the difference's interval; None when no noise is known
    high: float | None
    standing: Standing

    @property
    def outside_noise(self) -> bool | None:
        """Whether the difference is beyond noise; None when no noise is known."""
        return None if self.low is None else self.standing in (Standing.BETTER, Standing.WORSE)


def compare(result: Result, reference: Result, direction: Direction) -> Comparison:
    """`result` against `reference`, with the noise of both."""
    delta = Delta.between(result.mean, reference.mean)
    if result.noise == Noise.SEEDS and reference.noise == Noise.SEEDS:
        low, high = welch(result.values, reference.values)
    elif result.noise == Noise.UNKNOWN and reference.noise == Noise.UNKNOWN:
        low = high = None
    else:
        low, high = mover(result.mean, result.bounds(), reference.mean, reference.bounds())
    if low is None or high is None:
        if math.isclose(result.mean, reference.mean, rel_tol=SAME, abs_tol=SAME):
            standing = Standing.SAME
        else:
            standing = Standing.BETTER if delta.absolute > 0 else Standing.WORSE
    elif low > 0:
        standing = Standing.BETTER
    elif high < 0:
        standing = Standing.WORSE
    else:
        standing = Standing.WITHIN_NOISE
    if direction == Direction.LOWER and standing in (Standing.BETTER, Standing.WORSE):
        standing = Standing.WORSE if standing == Standing.BETTER else Standing.BETTER
    return Comparison(reference=reference, delta=delta, low=low, high=high, standing=standing)


def best_of(results: Iterable[Result | None], direction: Direction) -> Result | None:
    """The result with the best mean (the earliest of equals); None when none was measured."""
    found: Result | None = None
    for result in results:
        if result is None:
            continue
        if found is None or (
            (result.mean > found.mean) == (direction == Direction.HIGHER)
            and not math.isclose(result.mean, found.mean, rel_tol=SAME, abs_tol=SAME)
        ):
            found = result
    return found


def figure(value: float, decimals: int | None = None, *, sign: bool = False) -> str:
    """A metric value to `decimals` places, or to 4 significant digits when none are given."""
    plus = "+" if sign else ""
    return f"{value:{plus}.4g}" if decimals is None else f"{value:{plus}.{decimals}f}"


def decimals(noise: float | None) -> int | None:
    """The places a value with this much noise is worth: down to its noise's first digit."""
    if not noise:
        return None
    return min(10, max(0, -math.floor(math.log10(noise))))


def significant(noise: float) -> str:
    """Noise to 2 significant digits, in plain notation."""
    if noise <= 0:
        return "0"
    places = min(12, max(0, 1 - math.floor(math.log10(noise))))
    return f"{noise:.{places}f}"
