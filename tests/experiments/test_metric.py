"""A metric's range, the values it refuses or questions, and what its evaluation set detects."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.metric import (
    Metric,
    MetricKind,
    detectable_note,
    implausible,
    out_of_range,
    target_too_close,
    target_warning,
)
from storage.problems import Direction
from tests.support.properties import PROPERTY

HIGHER, LOWER = Direction.HIGHER, Direction.LOWER
RECALL = Metric(HIGHER, MetricKind.PROPORTION, n=2000, name="recall")


BLEU = Metric(HIGHER, MetricKind.BOUNDED, low=0, high=100, name="BLEU")
LOSS = Metric(LOWER, MetricKind.BOUNDED, low=0)


@pytest.mark.parametrize(
    ("value", "metric", "message"),
    [
        (1.7, RECALL, "Recall is a proportion: values run from 0 to 1; you typed 1.7. "
         "If you meant 1.7%, type 0.017."),
        (-3, RECALL, "Recall is a proportion: values run from 0 to 1; you typed -3. "
         "Type it as a fraction, e.g. 0.83 for 83%."),
        (120, BLEU, "BLEU is a bounded score: values run from 0 to 100; you typed 120. "
         "Type a value in that range."),
        (-0.5, LOSS, "The metric is a bounded score: values run from 0 up; you typed -0.5. "
         "Type a value in that range."),
    ],
)  # fmt: skip
def test_a_value_out_of_range_is_refused_with_the_range(value, metric, message):
    assert out_of_range(value, metric) == message


def test_values_in_range_are_accepted_and_an_unbounded_metric_takes_any_value():
    assert out_of_range(0.0, RECALL) is None and out_of_range(1.0, RECALL) is None
    assert out_of_range(100, BLEU) is None
    assert out_of_range(1e9, Metric(LOWER, MetricKind.UNBOUNDED)) is None


def test_a_metric_refuses_a_range_upside_down_or_an_empty_evaluation_set():
    with pytest.raises(ValueError, match="below its high"):
        Metric(HIGHER, MetricKind.BOUNDED, low=10, high=0)
    with pytest.raises(ValueError, match="at least 1 example"):
        Metric(HIGHER, MetricKind.PROPORTION, n=0)


def test_a_value_far_outside_everything_logged_is_implausible():
    # The typo: 1e9 for a recall with baseline 0.62, target 0.75.
    assert implausible(1e9, [0.62, 0.75, 0.70, 0.71])
    assert not implausible(0.9, [0.62, 0.75, 0.70, 0.71])
    # Latency: baseline 120, target 80, so the spread is 40 and 1,200 is a slipped zero.
    assert implausible(1200, [120, 80])
    assert not implausible(300, [120, 80])


def test_with_one_known_value_its_size_is_the_spread():
    assert not implausible(1300, [120])
    assert implausible(1400, [120])
    assert implausible(11, [0]) and not implausible(9, [0])
    assert not implausible(1e9, [])


@PROPERTY
@given(known=st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=8))
def test_no_known_value_is_implausible(known):
    assert not any(implausible(k, known) for k in known)


def test_the_evaluation_set_says_what_change_it_can_detect():
    assert detectable_note(RECALL, 0.62) == (
        "with 2,000 examples at 0.62, changes under ±0.03 are noise at 95%"
    )
    assert detectable_note(Metric(HIGHER, MetricKind.PROPORTION), 0.62) is None
    assert detectable_note(Metric(LOWER, MetricKind.UNBOUNDED, n=2000), 120) is None


def test_a_target_closer_than_the_set_can_detect_is_warned_about_with_the_fix():
    assert target_too_close(RECALL, 0.62, 0.64) == pytest.approx(0.0301, abs=1e-4)
    assert target_too_close(RECALL, 0.62, 0.75) is None
    assert target_warning(RECALL, 0.62, 0.64) == (
        "The target 0.64 is 0.02 from the baseline 0.62, less than the ±0.03 that 2,000 "
        "examples can tell from noise: an evaluation set of 4,522 examples would tell it apart."
    )
