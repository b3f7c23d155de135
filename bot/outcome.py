"""An experiment's outcome, computed from its value and its problem's metric. Pure functions.

The reference an experiment must beat to count as "improved" is the problem's baseline;
without a baseline it is the best earlier result. "Met target" needs a target. Every
comparison respects the metric's direction.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from storage.experiments import Outcome
from storage.problems import Direction

# Two values closer than this (relative to their size) are the same result: float noise
# in a logged metric is not a gain.
SAME = 1e-9

# Outcomes that owe the team an error analysis until one is written.
FAILED = frozenset({Outcome.NO_GAIN, Outcome.WORSE, Outcome.BROKEN})


@dataclass(frozen=True)
class Delta:
    """A value's change from a reference: absolute, and relative to the reference's size."""

    absolute: float
    relative: float | None  # None when the reference is 0

    @classmethod
    def between(cls, value: float, reference: float) -> Delta:
        absolute = value - reference
        relative = None if reference == 0 else absolute / abs(reference)
        return cls(absolute=absolute, relative=relative)


@dataclass(frozen=True)
class Assessment:
    outcome: Outcome
    vs_baseline: Delta | None
    vs_best: Delta | None
    best_before: float | None
    # Why the judgement is partial, in the team's words (missing baseline or target).
    caveats: tuple[str, ...] = ()


def better(a: float, b: float, direction: Direction) -> bool:
    """Whether `a` beats `b` by more than float noise."""
    if math.isclose(a, b, rel_tol=SAME, abs_tol=SAME):
        return False
    return a > b if direction == Direction.HIGHER else a < b


def best(values: Iterable[float | None], direction: Direction) -> float | None:
    """The best of the measured values, or None when none was measured."""
    measured = [v for v in values if v is not None]
    if not measured:
        return None
    return max(measured) if direction == Direction.HIGHER else min(measured)


def meets(value: float, target: float, direction: Direction) -> bool:
    if math.isclose(value, target, rel_tol=SAME, abs_tol=SAME):
        return True
    return value > target if direction == Direction.HIGHER else value < target


def assess(
    value: float | None,
    *,
    baseline: float | None,
    target: float | None,
    direction: Direction,
    best_before: float | None = None,
) -> Assessment:
    """Judge one result against the problem's baseline and target and the best earlier result."""
    caveats: list[str] = []
    if target is None:
        caveats.append("the problem has no target, so 'met target' cannot be judged")
    if baseline is None:
        caveats.append(
            "the problem has no baseline, so this is compared with the best earlier result"
            if best_before is not None
            else "the problem has no baseline and no earlier result to compare with"
        )
    if value is None:
        return Assessment(
            outcome=Outcome.BROKEN,
            vs_baseline=None,
            vs_best=None,
            best_before=best_before,
            caveats=tuple(caveats),
        )
    vs_baseline = None if baseline is None else Delta.between(value, baseline)
    vs_best = None if best_before is None else Delta.between(value, best_before)
    reference = baseline if baseline is not None else best_before
    if target is not None and meets(value, target, direction):
        outcome = Outcome.MET_TARGET
    elif reference is None or math.isclose(value, reference, rel_tol=SAME, abs_tol=SAME):
        outcome = Outcome.NO_GAIN
    elif better(value, reference, direction):
        outcome = Outcome.IMPROVED
    else:
        outcome = Outcome.WORSE
    return Assessment(
        outcome=outcome,
        vs_baseline=vs_baseline,
        vs_best=vs_best,
        best_before=best_before,
        caveats=tuple(caveats),
    )
