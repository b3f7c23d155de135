"""The verdict judged against noise: worked examples, and properties that must hold for any
seeds, baseline, target and best so far."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.metric import Metric, MetricKind
from bot.result import Noise, Result, Standing, best_of
from bot.verdict import OWES_ANALYSIS, OWES_NOTE, Verdict, judge, phrase
from storage.problems import Direction
from tests.support.properties import PROPERTY

HIGHER, LOWER = Direction.HIGHER, Direction.LOWER
RECALL = Metric(HIGHER, MetricKind.PROPORTION, name="recall")
RECALL_ON_2000 = Metric(HIGHER, MetricKind.PROPORTION, n=2000, name="recall")
LATENCY = Metric(LOWER, MetricKind.UNBOUNDED, name="p95 latency")


def test_the_issues_card_sentence():
    best = Result.of([0.71], RECALL)
    judgement = judge(
        [0.694, 0.700, 0.706], metric=RECALL, baseline=0.62, target=0.8, best_before=best
    )

    assert judgement.outcome == Verdict.BEAT_BASELINE
    assert phrase(judgement, RECALL) == (
        "0.70 ± 0.015 (3 seeds): better than baseline 0.62 (+0.08, outside noise); "
        "below the best so far 0.71; inconclusive against it."
    )


def test_better_than_baseline_but_below_the_best_so_far_is_not_improved():
    # Today 0.66 is "Improved" when the best so far is 0.71.
    judgement = judge(
        [0.66], metric=RECALL, baseline=0.62, target=0.8, best_before=Result.of([0.71])
    )
    assert judgement.outcome == Verdict.BEAT_BASELINE
    assert judgement.vs_best.standing == Standing.WORSE


def test_improved_means_beyond_noise_of_the_best_so_far_and_the_baseline():
    best = Result.of([0.70, 0.71, 0.69], RECALL)
    clear = judge([0.75, 0.76, 0.74], metric=RECALL, baseline=0.62, target=0.8, best_before=best)
    close = judge([0.71, 0.72, 0.70], metric=RECALL, baseline=0.62, target=0.8, best_before=best)

    assert clear.outcome == Verdict.IMPROVED and clear.vs_best.outside_noise
    assert (
        close.outcome == Verdict.BEAT_BASELINE and close.vs_best.standing == Standing.WITHIN_NOISE
    )


def test_the_first_experiment_beating_the_baseline_is_improved():
    assert judge([0.7], metric=RECALL, baseline=0.62, target=0.8).outcome == Verdict.IMPROVED


def test_one_seed_of_a_proportion_gets_its_noise_from_the_evaluation_set():
    # With 2,000 examples, changes under ±0.03 around 0.62 are noise.
    near = judge([0.63], metric=RECALL_ON_2000, baseline=0.62, target=0.8)
    far = judge([0.66], metric=RECALL_ON_2000, baseline=0.62, target=0.8)

    assert near.result.noise == Noise.EVALUATION_SET
    assert near.outcome == Verdict.INCONCLUSIVE
    assert far.outcome == Verdict.IMPROVED
    assert phrase(near, RECALL_ON_2000) == (
        "0.63 (0.61–0.65 at 95%, 1 seed, n=2,000): above baseline 0.62; inconclusive against it."
    )


def test_seeds_within_noise_of_the_baseline_are_inconclusive_and_say_how_to_settle_it():
    judgement = judge([0.60, 0.65, 0.63], metric=RECALL, baseline=0.62, target=0.8)

    assert judgement.outcome == Verdict.INCONCLUSIVE
    assert any("more seeds" in caveat for caveat in judgement.caveats)


def test_without_noise_an_equal_value_is_no_gain_and_any_difference_counts_with_a_caveat():
    same = judge([0.62], metric=RECALL, baseline=0.62, target=0.8)
    lower = judge([0.61], metric=RECALL, baseline=0.62, target=0.8)

    assert same.outcome == Verdict.NO_GAIN
    assert lower.outcome == Verdict.WORSE
    assert any("no known noise" in caveat for caveat in lower.caveats)
    assert (
        phrase(lower, RECALL) == "0.61 (1 seed): worse than baseline 0.62 (-0.01, noise unknown)."
    )


def test_lower_is_better_for_latency():
    best = Result.of([110.0, 112.0, 111.0], LATENCY)
    faster = judge(
        [95.0, 96.0, 97.0], metric=LATENCY, baseline=120.0, target=80.0, best_before=best
    )
    slower = judge([130.0, 131.0, 129.0], metric=LATENCY, baseline=120.0, target=80.0)

    assert faster.outcome == Verdict.IMPROVED
    assert faster.vs_baseline.delta.absolute == pytest.approx(-24.0)
    assert slower.outcome == Verdict.WORSE
    assert judge([79.0], metric=LATENCY, baseline=120.0, target=80.0).outcome == Verdict.MET_TARGET


def test_meeting_the_target_within_noise_says_so():
    judgement = judge([0.79, 0.83, 0.81], metric=RECALL, baseline=0.62, target=0.8)

    assert judgement.outcome == Verdict.MET_TARGET
    assert any("within this result's noise" in caveat for caveat in judgement.caveats)
    assert phrase(judgement, RECALL).startswith("0.81 ± 0.050 (3 seeds): meets the target 0.80; ")


def test_a_broken_run_owes_a_note_not_an_analysis():
    judgement = judge([], metric=RECALL, baseline=0.62, target=0.8)

    assert judgement.outcome == Verdict.BROKEN and judgement.result is None
    assert judgement.outcome in OWES_NOTE and judgement.outcome not in OWES_ANALYSIS
    assert phrase(judgement, RECALL) == "Broken: the run gave no number."


def test_with_nothing_to_judge_against_nothing_is_owed():
    # A discovery problem with no metric; a metric with no baseline, target or earlier result.
    no_metric = judge([0.5], metric=None, baseline=None, target=None)
    no_reference = judge([0.5], metric=RECALL, baseline=None, target=None)

    for judgement in (no_metric, no_reference):
        assert judgement.outcome == Verdict.UNJUDGED
        assert judgement.outcome not in OWES_ANALYSIS | OWES_NOTE
    assert phrase(no_metric, None) == "0.5 (1 seed): not judged, the problem has no metric."
    assert phrase(no_reference, RECALL) == "0.5 (1 seed): nothing to judge it against yet."
    assert judge([0.9], metric=RECALL, baseline=None, target=0.8).outcome == Verdict.MET_TARGET


def test_without_a_baseline_the_best_so_far_is_the_reference():
    best = Result.of([0.75])
    assert judge([0.72], metric=RECALL, baseline=None, target=0.9, best_before=best).outcome == (
        Verdict.WORSE
    )
    assert judge([0.78], metric=RECALL, baseline=None, target=0.9, best_before=best).outcome == (
        Verdict.IMPROVED
    )


def test_the_verdicts_fit_their_column():
    assert max(len(verdict) for verdict in Verdict) <= 16


def test_the_best_so_far_respects_direction_and_skips_broken_runs():
    results = [Result.of([0.7]), None, Result.of([0.9]), Result.of([0.9, 0.9])]
    assert best_of(results, HIGHER) is results[2]
    assert best_of(results, LOWER) is results[0]
    assert best_of([None], HIGHER) is None


# Properties, over metrics of each kind and any seeds, baseline, target and best so far.

RANK = {
    Verdict.WORSE: 0,
    Verdict.INCONCLUSIVE: 1,
    Verdict.NO_GAIN: 1,
    Verdict.UNJUDGED: 1,
    Verdict.BEAT_BASELINE: 2,
    Verdict.IMPROVED: 3,
    Verdict.MET_TARGET: 4,
}
unit = st.floats(min_value=0, max_value=1)
wide = st.floats(min_value=-1e3, max_value=1e3)


@st.composite
def cases(draw, kind: MetricKind | None = None):
    """(metric, values, baseline, target, best values or None) for one experiment."""
    kind = kind or draw(st.sampled_from(MetricKind))
    number = unit if kind == MetricKind.PROPORTION else wide
    n = draw(st.none() | st.integers(min_value=1, max_value=100_000))
    metric = Metric(HIGHER, kind, low=-1e3 if kind == MetricKind.BOUNDED else None, n=n)
    seeds = st.lists(number, min_size=1, max_size=5)
    return (
        metric,
        draw(seeds),
        draw(st.none() | number),
        draw(st.none() | number),
        draw(st.none() | seeds),
    )


def judged(metric, values, baseline, target, best):
    best_before = None if best is None else Result.of(best, metric)
    return judge(values, metric=metric, baseline=baseline, target=target, best_before=best_before)


def near_an_edge(judgement) -> bool:
    """Whether rounding alone could tip the verdict (a bound or the target within 1e-9)."""
    comparisons = [c for c in (judgement.vs_baseline, judgement.vs_best) if c is not None]
    bounds = [b for c in comparisons for b in (c.low, c.high) if b is not None]
    target, mean = judgement.target, judgement.result.mean
    return any(abs(b) < 1e-9 for b in bounds) or (
        target is not None and math.isclose(mean, target, abs_tol=1e-9)
    )


@PROPERTY
@given(case=cases(MetricKind.UNBOUNDED))
def test_flipping_the_direction_and_the_sign_of_every_number_keeps_the_verdict(case):
    metric, values, baseline, target, best = case
    flipped = Metric(LOWER, MetricKind.UNBOUNDED, n=metric.n)

    def negated(x):
        return None if x is None else [-v for v in x] if isinstance(x, list) else -x

    higher = judged(metric, values, baseline, target, best)
    lower = judged(flipped, negated(values), negated(baseline), negated(target), negated(best))
    assert higher.outcome == lower.outcome


@PROPERTY
@given(case=cases(MetricKind.PROPORTION))
def test_an_accuracy_and_its_error_rate_get_the_same_verdict(case):
    metric, values, baseline, target, best = case
    error_rate = Metric(LOWER, MetricKind.PROPORTION, n=metric.n)

    def complement(x):
        return None if x is None else [1 - v for v in x] if isinstance(x, list) else 1 - x

    accuracy = judged(metric, values, baseline, target, best)
    errors = judged(
        error_rate, complement(values), complement(baseline), complement(target), complement(best)
    )
    assume(not near_an_edge(accuracy) and not near_an_edge(errors))
    assert accuracy.outcome == errors.outcome


@PROPERTY
@given(case=cases(), step=st.floats(min_value=1e-3, max_value=0.5))
def test_a_higher_value_never_gets_a_lower_verdict(case, step):
    metric, values, baseline, target, best = case
    # Every seed moves by the same step, so the spread stays (cutting at 1 would narrow it).
    assume(metric.kind != MetricKind.PROPORTION or max(values) + step <= 1)
    raised = [v + step for v in values]
    before = judged(metric, values, baseline, target, best)
    after = judged(metric, raised, baseline, target, best)
    assume(not near_an_edge(before) and not near_an_edge(after))
    assert RANK[after.outcome] >= RANK[before.outcome]


@PROPERTY
@given(case=cases())
def test_nothing_within_noise_is_called_better_or_worse(case):
    metric, values, baseline, target, best = case
    judgement = judged(metric, values, baseline, target, best)
    sentence = phrase(judgement, metric)
    comparisons = {"baseline": judgement.vs_baseline, "the best so far": judgement.vs_best}
    for name, c in comparisons.items():
        if c is None:
            continue
        if c.low is not None:
            assert c.low <= c.delta.absolute <= c.high
            beyond = c.low > 0 or c.high < 0
            assert (c.standing in (Standing.BETTER, Standing.WORSE)) == beyond
        if c.standing == Standing.WITHIN_NOISE:
            assert f"better than {name}" not in sentence and f"worse than {name}" not in sentence
    reference = judgement.vs_baseline or judgement.vs_best
    if judgement.outcome == Verdict.INCONCLUSIVE:
        assert reference.standing == Standing.WITHIN_NOISE
    if judgement.outcome == Verdict.IMPROVED:
        assert all(c.standing == Standing.BETTER for c in comparisons.values() if c is not None)
    if judgement.outcome == Verdict.WORSE:
        assert reference.standing == Standing.WORSE


@PROPERTY
@given(case=cases())
def test_a_results_interval_holds_its_mean(case):
    metric, values, *_ = case
    result = Result.of(values, metric)
    low, high = result.bounds()
    assert low <= result.mean <= high
    if metric.kind == MetricKind.PROPORTION:
        assert low >= 0 and high <= 1
