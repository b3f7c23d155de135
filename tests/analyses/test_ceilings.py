"""Error-analysis ceilings: Ng's worked examples, overlapping categories, small samples."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.ceilings import ceilings, phrase_ceiling
from bot.metric import Metric, MetricKind
from storage.problems import Direction
from tests.support.properties import PROPERTY

ACCURACY = Metric(Direction.HIGHER, MetricKind.PROPORTION, name="accuracy")
ERROR_RATE = Metric(Direction.LOWER, MetricKind.PROPORTION, name="error rate")
RECALL = Metric(Direction.HIGHER, MetricKind.PROPORTION, name="recall")


def test_ngs_dog_example():
    # Machine Learning Yearning, ch. 14: 90% accuracy, 5 of 100 examined errors are dogs:
    # "at best 90.5% accuracy (or 9.5% error)"; had 50 been dogs, error could fall to 5%.
    few = ceilings(0.90, metric=ACCURACY, categories={"dog": 5}, examined=100)
    many = ceilings(0.90, metric=ACCURACY, categories={"dog": 50}, examined=100)
    as_error = ceilings(0.10, metric=ERROR_RATE, categories={"dog": 5}, examined=100)

    assert few.top.share == 0.05 and few.top.reach == pytest.approx(0.905)
    assert many.top.reach == pytest.approx(0.95)
    assert as_error.top.reach == pytest.approx(0.095)
    assert few.warning is None
    assert phrase_ceiling(few.top, value=0.90, metric=ACCURACY) == (
        "dog: 5% of errors; fixing all of them would take accuracy from 0.900 to at most 0.905"
    )
    assert phrase_ceiling(as_error.top, value=0.10, metric=ERROR_RATE) == (
        "dog: 5% of errors; fixing all of them would take error rate from 0.100 to at least 0.095"
    )


def test_overlapping_categories_each_keep_every_error_they_hold():
    # Ch. 16's spreadsheet of 100 examined errors: an image can be both blurry and a great
    # cat, so the shares add up to 112%; ranked by ceiling, blurry first.
    found = ceilings(
        0.90, metric=ACCURACY, categories={"dog": 8, "great cat": 43, "blurry": 61}, examined=100
    )

    assert [c.category for c in found.ceilings] == ["blurry", "great cat", "dog"]
    assert [c.share for c in found.ceilings] == [0.61, 0.43, 0.08]
    assert found.ceilings[0].reach == pytest.approx(0.961)


def test_the_issues_cold_start_example():
    found = ceilings(
        0.55, metric=RECALL, categories={"cold-start users": 45, "typos": 15}, examined=60
    )
    assert phrase_ceiling(found.top, value=0.55, metric=RECALL) == (
        "cold-start users: 75% of errors; fixing all of them would take recall from 0.55 "
        "to at most 0.89"
    )


def test_a_small_sample_warns_and_says_how_many_more_to_look_at():
    found = ceilings(0.55, metric=RECALL, categories={"cold-start users": 15, "typos": 5})

    assert found.examined == 20  # without a count examined, each error is in one category
    assert found.warning == (
        "Only 20 errors were examined, so these shares are rough: look at 30 more "
        "(50 in all; 100 give a clear picture)."
    )
    assert found.top.share_low < 0.75 < found.top.share_high


def test_ceilings_need_a_proportion_and_counts_that_fit_the_sample():
    latency = Metric(Direction.LOWER, MetricKind.UNBOUNDED)
    assert ceilings(120.0, metric=latency, categories={"cold cache": 3}, examined=10) is None
    with pytest.raises(ValueError, match="more errors than the 10 examined"):
        ceilings(0.9, metric=ACCURACY, categories={"dog": 11}, examined=10)
    with pytest.raises(ValueError, match="No errors were examined"):
        ceilings(0.9, metric=ACCURACY, categories={"dog": 0})


@PROPERTY
@given(
    value=st.floats(0, 1),
    counts=st.lists(st.integers(0, 200), min_size=1, max_size=6),
    higher=st.booleans(),
)
def test_a_ceiling_never_promises_more_than_fixing_every_error(value, counts, higher):
    metric = ACCURACY if higher else ERROR_RATE
    examined = max(1, max(counts))
    found = ceilings(
        value,
        metric=metric,
        categories={f"c{i}": c for i, c in enumerate(counts)},
        examined=examined,
    )
    shares = [c.share for c in found.ceilings]
    assert shares == sorted(shares, reverse=True)
    for ceiling in found.ceilings:
        assert 0 <= ceiling.share_low <= ceiling.share <= ceiling.share_high <= 1
        if higher:
            assert value - 1e-12 <= ceiling.reach <= 1
        else:
            assert 0 <= ceiling.reach <= value + 1e-12
