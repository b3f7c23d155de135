"""Diminishing returns: a best-so-far curve flat within noise over the last experiments."""

from __future__ import annotations

from types import SimpleNamespace as Row

from bot.metric import Metric, MetricKind
from bot.plateau import plateau, result_of
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


def test_stored_rows_read_as_results_and_unreadable_ones_as_no_result():
    proportion = Metric(HIGHER, MetricKind.PROPORTION, n=2000)
    several = result_of(Row(values=[0.7, 0.72], value=0.71, eval_size=None), metric=proportion)
    alone = result_of(Row(values=[], value=0.7, eval_size=500), metric=proportion)
    on_the_set = result_of(Row(values=[0.7], value=0.7, eval_size=None), metric=proportion)
    assert several.values == (0.7, 0.72) and alone.values == (0.7,)
    assert alone.half_width > on_the_set.half_width  # 500 examples are noisier than 2,000
    for broken in ([], ["0.7"], [float("nan")], {"a": 1}, [True]):
        assert result_of(Row(values=broken, value=None, eval_size=None), metric=proportion) is None
    flat = [Row(values=[], value=0.70, eval_size=None)] * 5
    assert plateau(flat, metric=proportion, baseline=0.70).evidence == (
        "last 5 experiments: best has not moved from 0.7"
    )
    assert plateau(flat, metric=proportion, baseline=float("nan")) is None
