"""The statistics behind the verdict, against textbook values."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.noise import (
    detectable_change,
    examples_needed,
    mover,
    t_critical,
    t_interval,
    welch,
    wilson,
    z_critical,
)
from tests.support.properties import PROPERTY

# Two-sided Student t critical values, as printed in any t table (e.g. Fisher & Yates,
# Statistical Tables, table III; NIST/SEMATECH e-Handbook 1.3.6.7.2), to 3 decimals.
T_TABLE = {
    0.95: {
        1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
        9: 2.262, 10: 2.228, 12: 2.179, 15: 2.131, 20: 2.086, 25: 2.060, 30: 2.042,
        40: 2.021, 60: 2.000, 100: 1.984, 120: 1.980, 1000: 1.962, math.inf: 1.960,
    },
    0.99: {1: 63.657, 2: 9.925, 5: 4.032, 10: 3.169, 30: 2.750, 120: 2.617, math.inf: 2.576},
    0.90: {1: 6.314, 2: 2.920, 5: 2.015, 10: 1.812, 30: 1.697, 120: 1.658, math.inf: 1.645},
}  # fmt: skip


@pytest.mark.parametrize(
    ("confidence", "df", "expected"),
    [(c, df, t) for c, table in T_TABLE.items() for df, t in table.items()],
)
def test_t_critical_values_match_the_printed_table(confidence, df, expected):
    assert round(t_critical(df, confidence), 3) == expected


def test_t_critical_values_match_the_closed_forms_for_one_and_two_degrees_of_freedom():
    # df 1 is Cauchy: tan(pi c / 2); df 2: sqrt(2 / (a (2 - a)) - 2) with a = 1 - c.
    assert t_critical(1) == pytest.approx(math.tan(0.95 * math.pi / 2), rel=1e-12)
    assert t_critical(2) == pytest.approx(math.sqrt(2 / (0.05 * 1.95) - 2), rel=1e-12)


@PROPERTY
@given(df=st.floats(min_value=0.5, max_value=1e7))
def test_t_critical_lies_past_the_normal_and_shrinks_with_more_degrees_of_freedom(df):
    assert t_critical(df) >= z_critical() - 1e-12
    assert t_critical(df * 1.5) <= t_critical(df) + 1e-9


# Newcombe RG (1998), "Two-sided confidence intervals for the single proportion: comparison
# of seven methods", Stat Med 17:857-872, table II, method 3 (Wilson score, no correction).
@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_intervals_match_newcombes_table(successes, n, low, high):
    found = wilson(successes / n, n)
    assert (round(found[0], 4), round(found[1], 4)) == (low, high)


@PROPERTY
@given(p=st.floats(min_value=0, max_value=1), n=st.integers(min_value=1, max_value=10**7))
def test_a_wilson_interval_stays_within_0_and_1_and_holds_the_proportion(p, n):
    low, high = wilson(p, n)
    assert 0 <= low <= p <= high <= 1


# Newcombe RG (1998), "Interval estimation for the difference between independent
# proportions: comparison of eleven methods", Stat Med 17:873-890, table II, method 10.
@pytest.mark.parametrize(
    ("a", "m", "b", "n", "low", "high"),
    [
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (6, 7, 2, 7, 0.0582, 0.8062),
        (5, 56, 0, 29, -0.0381, 0.1926),
    ],
)
def test_the_difference_of_two_wilson_intervals_matches_newcombes_method_10(a, m, b, n, low, high):
    found = mover(a / m, wilson(a / m, m), b / n, wilson(b / n, n))
    assert (round(found[0], 4), round(found[1], 4)) == (low, high)


def test_welch_on_equal_spreads_and_sizes_is_the_pooled_t_interval():
    # Two groups of 3 with variance 1: df 4, t 2.776, standard error sqrt(2/3).
    low, high = welch((1.0, 2.0, 3.0), (4.0, 5.0, 6.0))
    assert low == pytest.approx(-3 - 2.7764 * math.sqrt(2 / 3), abs=1e-4)
    assert high == pytest.approx(-3 + 2.7764 * math.sqrt(2 / 3), abs=1e-4)


def test_a_t_interval_needs_seeds_that_differ():
    assert t_interval((0.7,)) is None
    assert t_interval((0.7, 0.7, 0.7)) is None
    # 3 seeds with standard deviation 0.006: 4.303 * 0.006 / sqrt(3).
    assert t_interval((0.694, 0.700, 0.706)) == pytest.approx(0.01491, abs=1e-5)


def test_the_issues_detectable_change_example():
    # "with 2,000 examples at 0.62, changes under ±0.03 are noise at 95%":
    # 1.96 * sqrt(2 * 0.62 * 0.38 / 2000) = 0.0301.
    assert detectable_change(2000, 0.62) == pytest.approx(0.0301, abs=1e-4)
    assert detectable_change(2000, 0.0) > 0  # a rate of 0 still has noise


@PROPERTY
@given(change=st.floats(min_value=1e-3, max_value=0.5), p=st.floats(min_value=0, max_value=1))
def test_examples_needed_is_the_fewest_that_detect_the_change(change, p):
    n = examples_needed(change, p)
    assert detectable_change(n, p) <= change
    assert n == 1 or detectable_change(n - 1, p) > change
