"""Parsing of `/problem` text, validation of a problem, and mrkdwn escaping."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.commands import Capture, Help, ListProblems, OpenForm, ShowProblem, parse_problem
from bot.errors import UsageError, ValidationFailed
from bot.problems.draft import ProblemDraft, check
from bot.text import escape


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("", OpenForm()),
        ("   ", OpenForm()),
        ("help", Help()),
        ("list", ListProblems("open")),
        ("LIST Mine", ListProblems("mine")),
        ("show P-12", ShowProblem(12)),
        ("show p12", ShowProblem(12)),
        ("Churn model misses new users", Capture("Churn model misses new users")),
        ('"list of failing jobs"', Capture("list of failing jobs")),
        ("help me triage alerts", Capture("help me triage alerts")),
    ],
)
def test_problem_text_is_understood(text, parsed):
    assert parse_problem(text) == parsed


@pytest.mark.parametrize("text", ["show P-x", "show E-1", "list soon", "show"])
def test_malformed_problem_text_raises_a_usage_error_with_an_example(text):
    with pytest.raises(UsageError) as error:
        parse_problem(text)
    assert "/problem" in error.value.message or "P-12" in error.value.message


def test_check_accepts_a_minimal_draft_with_defaults():
    values = check(ProblemDraft(title="  spaced   title "))
    assert values["title"] == "spaced title"
    assert values["track"] == "discovery" and values["direction"] == "higher"


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        (ProblemDraft(title=""), "title"),
        (ProblemDraft(title="t", baseline="nan"), "baseline"),
        (ProblemDraft(title="t", target="1e999"), "target"),
        (ProblemDraft(title="t", baseline="0.5", target="0.5"), "target"),
        (ProblemDraft(title="t", baseline="0.5", target="0.4"), "target"),
        (ProblemDraft(title="t", review_on="31/12/2030"), "review_on"),
        (
            ProblemDraft(title="t", review_on=(date.today() - timedelta(days=3)).isoformat()),
            "review_on",
        ),
        (ProblemDraft(title="t", track="someday"), "track"),
        (ProblemDraft(title="t", statement="x" * 3001), "statement"),
    ],
)
def test_check_names_the_bad_field(draft, field):
    with pytest.raises(ValidationFailed) as error:
        check(draft)
    assert field in error.value.errors


def test_lower_is_better_accepts_a_target_below_the_baseline():
    values = check(ProblemDraft(title="t", direction="lower", baseline="0.3", target="0.2"))
    assert values["target"] == 0.2


def test_escape_defuses_every_special_sequence():
    assert escape("<!channel> <@U1> a&b <http://x|y>") == (
        "&lt;!channel&gt; &lt;@U1&gt; a&amp;b &lt;http://x|y&gt;"
    )


def test_no_help_or_hint_text_carries_a_raw_angle_bracket():
    """Slack reads `<…>` in mrkdwn as a link or mention, so placeholders must be escaped."""
    import re

    from bot.analyses import render as analyses
    from bot.digest import replies as digest
    from bot.experiments import render as experiments
    from bot.problems import render as problems

    for text in (problems.HELP, experiments.HELP, analyses.HELP, digest.HELP):
        assert not re.search(r"<(?![@!#]|https?:)", text), text
