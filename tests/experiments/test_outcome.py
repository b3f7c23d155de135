"""A value against a reference: both metric directions, deltas, and float noise."""

from __future__ import annotations

import pytest

from bot.metric import Metric
from bot.outcome import Delta, meets
from bot.verdict import judge
from storage.experiments import Outcome
from storage.problems import Direction

HIGHER, LOWER = Direction.HIGHER, Direction.LOWER


@pytest.mark.parametrize(
    ("value", "direction", "baseline", "target", "expected"),
    [
        # Higher is better (accuracy): baseline 0.70, target 0.80.
        (0.85, HIGHER, 0.70, 0.80, Outcome.MET_TARGET),
        (0.80, HIGHER, 0.70, 0.80, Outcome.MET_TARGET),
        (0.75, HIGHER, 0.70, 0.80, Outcome.IMPROVED),
        (0.70, HIGHER, 0.70, 0.80, Outcome.NO_GAIN),
        (0.65, HIGHER, 0.70, 0.80, Outcome.WORSE),
        # Lower is better (latency in ms): baseline 120, target 80.
        (75.0, LOWER, 120.0, 80.0, Outcome.MET_TARGET),
        (80.0, LOWER, 120.0, 80.0, Outcome.MET_TARGET),
        (100.0, LOWER, 120.0, 80.0, Outcome.IMPROVED),
        (120.0, LOWER, 120.0, 80.0, Outcome.NO_GAIN),
        (130.0, LOWER, 120.0, 80.0, Outcome.WORSE),
    ],
)
def test_one_noiseless_value_follows_the_metrics_direction(
    value, direction, baseline, target, expected
):
    judged = judge([value], metric=Metric(direction), baseline=baseline, target=target)
    assert judged.outcome == expected


def test_a_relative_delta_against_zero_is_left_out_rather_than_infinite():
    assert Delta.between(0.2, 0.0) == Delta(absolute=0.2, relative=None)
    assert Delta.between(-3.0, -2.0).relative == pytest.approx(-0.5)
    assert Delta.between(0.77, 0.70).relative == pytest.approx(0.10)


def test_float_noise_is_no_gain_and_meets_the_target():
    judged = judge([0.1 + 0.2], metric=Metric(HIGHER), baseline=0.3, target=0.5)
    assert judged.outcome == Outcome.NO_GAIN
    assert meets(0.1 + 0.2, 0.3, HIGHER) and meets(0.1 + 0.2, 0.3, LOWER)
    assert not meets(0.29, 0.3, HIGHER) and meets(0.29, 0.3, LOWER)
