"""Outcome computation: both metric directions, missing baseline or target, deltas."""

from __future__ import annotations

import pytest

from bot.outcome import FAILED, Delta, assess, best, better
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
def test_the_outcome_follows_the_metrics_direction(value, direction, baseline, target, expected):
    assert assess(value, baseline=baseline, target=target, direction=direction).outcome == expected


def test_no_value_means_the_run_broke():
    result = assess(None, baseline=0.7, target=0.8, direction=HIGHER, best_before=0.75)
    assert result.outcome == Outcome.BROKEN
    assert result.vs_baseline is None and result.vs_best is None


def test_deltas_against_baseline_and_best_so_far_are_absolute_and_relative():
    result = assess(0.77, baseline=0.70, target=0.80, direction=HIGHER, best_before=0.78)

    assert result.vs_baseline.absolute == pytest.approx(0.07)
    assert result.vs_baseline.relative == pytest.approx(0.10)
    assert result.vs_best.absolute == pytest.approx(-0.01)
    assert result.vs_best.relative == pytest.approx(-0.01 / 0.78)
    # Improved against the baseline, even though it is not the best result so far.
    assert result.outcome == Outcome.IMPROVED


def test_a_relative_delta_against_zero_is_left_out_rather_than_infinite():
    assert Delta.between(0.2, 0.0) == Delta(absolute=0.2, relative=None)
    assert Delta.between(-3.0, -2.0).relative == pytest.approx(-0.5)


def test_without_a_target_met_target_is_never_claimed_and_the_reason_is_given():
    result = assess(0.99, baseline=0.70, target=None, direction=HIGHER)

    assert result.outcome == Outcome.IMPROVED
    assert any("no target" in c for c in result.caveats)


def test_without_a_baseline_the_best_earlier_result_is_the_reference():
    assert assess(0.72, baseline=None, target=0.8, direction=HIGHER, best_before=0.75).outcome == (
        Outcome.WORSE
    )
    assert assess(0.78, baseline=None, target=0.8, direction=HIGHER, best_before=0.75).outcome == (
        Outcome.IMPROVED
    )
    assert assess(60.0, baseline=None, target=50.0, direction=LOWER, best_before=70.0).outcome == (
        Outcome.IMPROVED
    )


def test_without_baseline_or_earlier_result_only_the_target_can_be_judged():
    first = assess(0.72, baseline=None, target=0.8, direction=HIGHER)
    assert first.outcome == Outcome.NO_GAIN
    assert first.vs_baseline is None and first.vs_best is None
    assert any("no baseline" in c for c in first.caveats)
    assert assess(0.82, baseline=None, target=0.8, direction=HIGHER).outcome == Outcome.MET_TARGET
    assert assess(0.82, baseline=None, target=None, direction=HIGHER).outcome == Outcome.NO_GAIN


def test_float_noise_is_no_gain():
    assert assess(0.1 + 0.2, baseline=0.3, target=0.5, direction=HIGHER).outcome == Outcome.NO_GAIN
    assert not better(0.1 + 0.2, 0.3, HIGHER)


def test_best_respects_direction_and_skips_unmeasured_runs():
    assert best([0.7, None, 0.9, 0.8], HIGHER) == 0.9
    assert best([120.0, None, 95.0], LOWER) == 95.0
    assert best([None], HIGHER) is None


def test_the_outcomes_that_owe_an_analysis():
    assert {Outcome.NO_GAIN, Outcome.WORSE, Outcome.BROKEN} == FAILED
