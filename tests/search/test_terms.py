"""Turning typed words into search terms, and building message links. Pure functions."""

from __future__ import annotations

import pytest

from bot.commands import Help
from bot.errors import UsageError
from bot.ritual_commands import Search, parse_ritual
from bot.search.render import permalink
from bot.search.service import MAX_TERMS, terms
from storage.search import _fts5_query


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Label noise", ["label", "noise"]),
        ("the label and the noise", ["label", "noise"]),
        ('"label" NEAR(noise*) -x', ["label", "near", "noise", "x"]),
        ("'; DROP TABLE problems;--", ["drop", "table", "problems"]),
        ("F1 f1 p95-latency", ["f1", "p95", "latency"]),
        ("naïve Bayes", ["naïve", "bayes"]),
        ("__init__ _", ["init"]),
        ("", []),
    ],
)
def test_terms_keep_only_words(typed, expected):
    assert terms(typed) == expected


def test_a_long_text_keeps_a_bounded_number_of_terms():
    assert len(terms(" ".join(f"word{i}" for i in range(100)))) == MAX_TERMS


def test_every_fts5_term_is_a_quoted_string():
    assert _fts5_query([["near"], ['a"b']]) == '("near") OR ("a""b")'
    assert _fts5_query([["label", "noise"], ["x y"]]) == '("label" AND "noise") OR ("x y")'


def test_permalinks_are_built_only_from_well_formed_refs():
    assert permalink("ml-team", "C0ML", "1700000000.000200") == (
        "https://ml-team.slack.com/archives/C0ML/p1700000000000200"
    )
    assert permalink("ml-team", "C0ML", "2.000001", "1.000001") == (
        "https://ml-team.slack.com/archives/C0ML/p2000001?thread_ts=1.000001&cid=C0ML"
    )
    assert permalink(None, "C0ML", "1.1") is None
    assert permalink("evil.com/x?", "C0ML", "1.1") is None
    assert permalink("ml-team", "C0ML", None) is None


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("", Help()), ("help", Help()), ("search  label noise ", Search("label noise"))],
)
def test_ritual_commands(text, parsed):
    assert parse_ritual(text) == parsed


@pytest.mark.parametrize("text", ["search", "search   ", "find drift"])
def test_ritual_commands_that_need_more(text):
    with pytest.raises(UsageError, match="/ritual search label noise"):
        parse_ritual(text)
