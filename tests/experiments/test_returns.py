"""Diminishing returns: a best-so-far curve flat within noise over the last experiments."""

from __future__ import annotations

from bot.metric import Metric, MetricKind
from bot.result import Result
from bot.returns import diminishing_returns
from storage.problems import Direction

HIGHER, LOWER = Direction.HIGHER, Direction.LOWER
RECALL = Metric(HIGHER, MetricKind.PROPORTION)
LATENCY = Metric(LOWER, MetricKind.UNBOUNDED)


def seeds(*means: float, spread: float = 0.01) -> list[Result]:
    return [Result.of([m - spread, m, m + spread], RECALL) for m in means]


def test_a_best_that_moved_only_within_noise_is_flagged_with_the_evidence():
    results = seeds(0.60, 0.65, 0.700, 0.690, 0.701, 0.695, 0.702, 0.680)
    found = diminishing_returns(results, direction=HIGHER)

    assert found is not None
    assert found.before is results[2] and found.after is results[6]
    assert found.evidence == "last 5 experiments: best moved +0.002, inside noise"


def test_a_best_still_moving_beyond_noise_is_not_flagged():
    assert diminishing_returns(seeds(0.60, 0.62, 0.64, 0.66, 0.68, 0.70), direction=HIGHER) is None


def test_too_few_experiments_prove_nothing_unless_a_baseline_starts_the_curve():
    five = seeds(0.60, 0.601, 0.599, 0.600, 0.602)
    assert diminishing_returns(five, direction=HIGHER) is None
    baseline = Result.of([0.60], RECALL)
    assert diminishing_returns(five, direction=HIGHER, baseline=baseline) is not None
    assert diminishing_returns(five[:4], direction=HIGHER, baseline=baseline) is None


def test_broken_runs_and_no_noise_count_only_a_best_that_did_not_move():
    still = [Result.of([95.0], LATENCY), None, Result.of([97.0], LATENCY), None, None, None]
    faster = [*still[:-1], Result.of([94.0], LATENCY)]

    found = diminishing_returns(still, direction=LOWER)
    assert found is not None
    assert found.evidence == "last 5 experiments: best has not moved from 95"
    assert diminishing_returns(faster, direction=LOWER) is None


def test_the_window_is_adjustable():
    results = seeds(0.60, 0.70, 0.701, 0.699)
    assert diminishing_returns(results, direction=HIGHER, k=2).experiments == 2
    assert diminishing_returns(results, direction=HIGHER, k=3) is None
