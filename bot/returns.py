"""Diminishing returns: whether a problem's last experiments still move its best result
beyond noise. Pure functions.

The best-so-far curve is the best result after each experiment, starting from the baseline
when there is one. It is flat over the last k experiments when the best after them is within
noise of the best before them (the interval of the difference holds 0, as in bot/result.py),
or, with no noise known, has not moved at all. A broken run (None) is an experiment that did
not move it. Fewer than k experiments, or no best before them, prove nothing: no flag.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.result import Comparison, Result, Standing, best_of, compare, decimals, figure
from storage.problems import Direction

LAST = 5


@dataclass(frozen=True)
class DiminishingReturns:
    experiments: int  # how many of the last experiments left the best where it was
    before: Result  # the best before them
    after: Result  # the best after them
    comparison: Comparison  # `after` against `before`

    @property
    def evidence(self) -> str:
        """'last 5 experiments: best moved +0.002, inside noise'."""
        head = f"last {self.experiments} experiments"
        moved = self.comparison.delta.absolute
        if self.comparison.standing == Standing.SAME or moved == 0:
            return f"{head}: best has not moved from {figure(self.before.mean)}"
        places = max(decimals(abs(moved)) or 0, decimals(_noise(self.comparison)) or 0)
        return f"{head}: best moved {figure(moved, places, sign=True)}, inside noise"


def _noise(comparison: Comparison) -> float | None:
    if comparison.low is None or comparison.high is None:
        return None
    return (comparison.high - comparison.low) / 2


def diminishing_returns(
    results: Sequence[Result | None],
    *,
    direction: Direction,
    k: int = LAST,
    baseline: Result | None = None,
) -> DiminishingReturns | None:
    """The evidence that the last `k` experiments (in the order logged) did not move the best
    result beyond noise; None while they still do, or when there are too few to tell."""
    if k < 1 or len(results) < k:
        return None
    before = best_of([baseline, *results[:-k]], direction)
    if before is None:
        return None
    after = best_of([before, *results[-k:]], direction) or before
    comparison = compare(after, before, direction)
    if comparison.standing == Standing.BETTER:
        return None
    return DiminishingReturns(experiments=k, before=before, after=after, comparison=comparison)
