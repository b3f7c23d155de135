"""Error-analysis ceilings on the posted analysis: ranked, warned when the sample is small, and
left out when the metric has no errors to count."""

from __future__ import annotations

import pytest

from tests.analyses.test_analyses import analysis_form
from tests.conftest import ALICE, CHANNEL
from tests.support.delivery import analyses, choice, command, experiments, frame, log, text
from tests.support.plateau import COLD_START, clock  # noqa: F401 (clock: a fixture)
from tests.support.slack import rendered

pytestmark = pytest.mark.usefixtures("clock")
TYPOS = "typos: 25% of errors; fixing all of them would take recall from 0.55 to at most 0.66"
CATEGORIES = "typos: 15\ncold-start users: 45"
PROPORTION = {"metric_kind": choice("proportion")}


def analysed(
    bot, *, sample: str, categories: str, logged: str = "0.55 cold start", **problem
) -> str:
    """Frame P-1, log E-1 (at 0.55) and submit its analysis; everything its post shows."""
    frame(bot, baseline="0.60", target="0.80", **problem)
    log(bot, f"P-1 {logged}")
    command(bot, "/analysis", "E-1")
    answer = bot.slack.submit_view(
        user_id=ALICE, values=analysis_form(sample_size=text(sample), categories=text(categories))
    )
    bot.settle()
    assert answer.status == 200
    _, post = bot.slack.thread(CHANNEL, experiments(bot)[0].message_ts)
    return rendered(post.blocks)


def test_each_category_shows_what_fixing_it_could_gain_highest_first(bot):
    shown = analysed(bot, sample="60", categories=CATEGORIES, **PROPORTION)

    assert "Error categories, by how much fixing each could gain" in shown
    assert COLD_START in shown and TYPOS in shown
    assert shown.index(COLD_START) < shown.index(TYPOS)
    assert "rough" not in shown and "look at" not in shown  # 60 errors are a fair sample
    show = rendered(command(bot, "/analysis", "show A-1").body)
    assert COLD_START in show


def test_a_small_sample_says_how_many_more_errors_to_look_at(bot):
    shown = analysed(bot, sample="20", categories="cold-start users: 15\ntypos: 5", **PROPORTION)

    assert COLD_START in shown
    assert (
        "Only 20 errors were examined, so these shares are rough: look at 30 more "
        "(50 in all; 100 give a clear picture)."
    ) in shown


def test_an_unbounded_metric_lists_its_categories_without_ceilings(bot):
    shown = analysed(bot, sample="60", categories=CATEGORIES, metric_kind=choice("unbounded"))

    assert "cold-start users: 45 (75%)" in shown and "typos: 15 (25%)" in shown
    assert "fixing all of them" not in shown and "by how much" not in shown


def test_a_broken_run_has_no_value_to_gain_from_so_no_ceilings(bot):
    shown = analysed(
        bot, sample="60", categories=CATEGORIES, logged="broken OOM at step 40", **PROPORTION
    )

    assert "cold-start users: 45 (75%)" in shown and "fixing all of them" not in shown


def test_a_category_larger_than_the_sample_examined_is_refused_with_the_fix(bot):
    frame(bot, baseline="0.60", target="0.80", **PROPORTION)
    log(bot, "P-1 0.55 cold start")
    command(bot, "/analysis", "E-1")
    answer = bot.slack.submit_view(
        user_id=ALICE,
        values=analysis_form(sample_size=text("20"), categories=text("cold-start users: 45")),
    )
    bot.settle()

    assert answer.body["response_action"] == "errors"
    assert answer.body["errors"]["categories"] == (
        "'cold-start users' counts 45 errors, more than the 20 examined. Type how many of "
        "the examined errors fall in it, or a larger sample size."
    )
    assert analyses(bot) == []


def test_correcting_the_experiments_result_redraws_its_analysis_ceilings(bot):
    analysed(bot, sample="60", categories=CATEGORIES, **PROPORTION)
    command(bot, "/experiment", "edit E-1")
    bot.slack.submit_view(user_id=ALICE, values={"value": {"value": text("0.6")}})
    bot.settle()

    _, post = bot.slack.thread(CHANNEL, experiments(bot)[0].message_ts)
    shown = rendered(post.blocks)
    assert (
        "typos: 25% of errors; fixing all of them would take recall from 0.60 to at most 0.70"
        in (shown)
    )
    assert TYPOS not in shown
    edits = [c for c in bot.slack.calls() if c.method == "chat.update"]
    analysis_ts = analyses(bot)[0].message_ts
    assert len([c for c in edits if c.args.get("ts") == analysis_ts]) == 1


def test_an_edit_that_leaves_the_result_alone_leaves_the_analysis_post_alone(bot):
    analysed(bot, sample="60", categories=CATEGORIES, **PROPORTION)
    command(bot, "/experiment", "edit E-1")
    bot.slack.submit_view(
        user_id=ALICE,
        values={"value": {"value": text("0.55")}, "notes": {"value": text("cold start, again")}},
    )
    bot.settle()

    analysis_ts = analyses(bot)[0].message_ts
    edits = [c for c in bot.slack.calls() if c.method == "chat.update"]
    assert not [c for c in edits if c.args.get("ts") == analysis_ts]
    assert experiments(bot)[0].notes == "cold start, again"
