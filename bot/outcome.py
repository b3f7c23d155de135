"""A measured value against a reference: the change, and whether it reaches a target, in the
metric's direction, with float noise in a logged metric never counted as a change. Pure.

The verdicts built on these, judged against the noise of seeds and evaluation sets, are in
bot/verdict.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from storage.problems import Direction

# Two values closer than this (relative to their size) are the same result: float noise
# in a logged metric is not a gain.
SAME = 1e-9


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


def meets(value: float, target: float, direction: Direction) -> bool:
    if math.isclose(value, target, rel_tol=SAME, abs_tol=SAME):
        return True
    return value > target if direction == Direction.HIGHER else value < target
