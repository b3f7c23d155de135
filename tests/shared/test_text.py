"""Typed text and numbers: the rules bot/text.py states, case by case."""

from __future__ import annotations

import pytest

from bot import text


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("0.83", 0.83),
        (" 7 ", 7.0),
        ("-2", -2.0),
        ("+2", 2.0),
        (".5", 0.5),
        ("5.", 5.0),
        ("1.5e-3", 0.0015),
        ("2E3", 2000.0),
        ("0", 0.0),
        ("0.000e-400", 0.0),  # zero written small is still zero
        ("1e-310", 1e-310),  # subnormal, not zero
    ],
)
def test_plain_decimal_notation_is_read(typed, value):
    assert text.parse_number(typed) == value


@pytest.mark.parametrize(
    "typed",
    [
        "1_000",
        "٣",
        "１",  # fullwidth
        "1e-400",  # underflows to 0
        "-1e400",
        "1e400",
        "9" * 400,
        "inf",
        "-Infinity",
        "nan",
        "0x10",
        "1,5",
        "1.2.3",
        "83%",
        "e5",
        ".",
        "-",
        "",
    ],
)
def test_anything_else_is_not_a_number(typed):
    with pytest.raises(ValueError):
        text.parse_number(typed)


@pytest.mark.parametrize("typed", ["²", "٣", "-1", "1.0", "11", "9" * 5000, ""])
def test_a_count_is_ascii_digits_within_its_bounds(typed):
    with pytest.raises(ValueError):
        text.parse_count(typed, least=0, most=10)


@pytest.mark.parametrize(
    ("typed", "values"),
    [
        ("0.71 0.69 0.72", [0.71, 0.69, 0.72]),
        ("0.71, 0.69,0.72", [0.71, 0.69, 0.72]),
        (" 120\n130 ", [120.0, 130.0]),
        ("120,130,125", [120.0, 130.0, 125.0]),
        ("", []),
    ],
)
def test_numbers_are_read_apart_by_spaces_or_commas(typed, values):
    assert text.parse_numbers(typed) == values


@pytest.mark.parametrize(("typed", "piece"), [("0,83", "0,83"), ("0.7 nan", "nan"), ("1;2", "1;2")])
def test_a_decimal_comma_or_a_piece_that_is_no_number_is_named(typed, piece):
    with pytest.raises(ValueError, match=f"^{piece}$"):
        text.parse_numbers(typed)


def test_cleaning_keeps_lines_and_tabs_and_joins_accents():
    assert text.clean("a\x00\tb\r\nc\x7f\x9b\ud800e\u0301") == "a\tb\nc\u00e9"
    assert text.clean("x² ﬁ") == "x² ﬁ"  # NFC, not NFKC: what was written stays


@pytest.mark.parametrize("typed", ["", " ", "\u200b\u200d", "\ufeff\u2060", "\u3164", "\u0301"])
def test_text_that_draws_nothing_is_not_visible(typed):
    assert not text.visible(typed)


@pytest.mark.parametrize("typed", ["a", "👍", "\u200bx", "مرحبا", "e\u0301"])
def test_text_with_something_to_see_is_visible(typed):
    assert text.visible(typed)


def test_log_escaping_writes_controls_out():
    assert text.printable("a\x00b\x1b[2J\nc") == "a\\x00b\\x1b[2J\nc"
