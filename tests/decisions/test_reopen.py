"""Closed means closed: no experiment goes on a dropped or shipped problem, and
`/problem reopen P-1 <why>` takes one up again, on the record."""

from __future__ import annotations

import pytest

from storage.problems import DecisionKind, ProblemStatus
from tests.analyses.test_analyses import analysis_form
from tests.conftest import ALICE, BOB, CHANNEL, TEAM
from tests.support.delivery import (
    buttons,
    command,
    decisions,
    experiments,
    form,
    frame,
    log,
    picked,
    problems,
    text,
)
from tests.support.slack import posted, rendered

REOPEN_FORM = "`/problem reopen P-1 &lt;why&gt;`"


def closed_as(bot, kind: str = "cut") -> str:
    """Close P-1 by deciding `kind`; what a refusal says happened, as mrkdwn: the day in each
    reader's own timezone."""
    command(bot, "/problem", f"decide P-1 {kind} no gain after 4 experiments")
    [closing] = decisions(bot)
    status = "dropped" if kind == "cut" else "shipped"
    day = f"<!date^{int(closing.decided_at.timestamp())}^{{date_short}}|{closing.decided_at:%d %b %Y}>"
    return f"P-1 was {status} on {day} (decision by <@{ALICE}>)"


def card(bot):
    problem = problems(bot)[0]
    return next(m for m in bot.slack.messages(CHANNEL) if m.ts == problem.card_ts)


def decision_posts(bot) -> list[str]:
    """The text of each decision the bot posted in the channel (chat.postMessage calls)."""
    return [c.args["text"] for c in posted(bot.slack, CHANNEL) if "Decision on" in c.args["text"]]


@pytest.mark.parametrize("kind", ["cut", "ship"])
def test_a_quick_log_on_a_closed_problem_is_refused_with_how_to_reopen_it(bot, kind):
    frame(bot)
    happened = closed_as(bot, kind)
    answer = log(bot, "P-1 0.81 focal loss")

    assert answer.body["response_type"] == "ephemeral"
    shown = rendered(answer.body["blocks"])
    assert f"{happened}. Experiments go on open problems; to reopen it: {REOPEN_FORM}." in shown
    assert experiments(bot) == []
    assert not [m for m in bot.slack.messages(CHANNEL) if m.text.startswith("E-")]


def test_the_form_is_not_opened_for_a_closed_problem_and_refuses_one_closed_meanwhile(bot):
    frame(bot)
    command(bot, "/experiment", "P-1")  # the form, opened while P-1 is open
    happened = closed_as(bot)

    typed = command(bot, "/experiment", "P-1")
    assert f"{happened}. Experiments go on open problems" in rendered(typed.body["blocks"])
    answer = bot.slack.submit_view(
        user_id=ALICE, values=form(problem=picked("1"), value=text("0.81"))
    )

    assert answer.body["response_action"] == "errors"
    # A form's field error is plain text: no mention, and the day in UTC.
    [closing] = decisions(bot)
    closed = f"P-1 was dropped on {closing.decided_at:%Y-%m-%d} UTC"
    assert answer.body["errors"] == {
        "problem": f"{closed}. Experiments go on open problems; "
        "to reopen it: `/problem reopen P-1 <why>`."
    }
    assert experiments(bot) == []


def test_log_as_experiment_on_a_message_naming_a_closed_problem_says_so_in_the_form(bot):
    frame(bot, "First")
    frame(bot, "Second")
    happened = closed_as(bot)
    message = bot.slack.post_as_user(
        team_id=TEAM, user_id=BOB, channel=CHANNEL, text="P-1 with focal loss: 0.77"
    )
    bot.slack.message_shortcut(
        team_id=TEAM,
        user_id=ALICE,
        channel_id=CHANNEL,
        message_ts=message.ts,
        callback_id="log_as_experiment",
    )
    bot.settle()

    view = bot.slack.open_view(ALICE).view
    assert f"{happened}. Experiments go on open problems; to reopen it: {REOPEN_FORM}." in (
        rendered(view["blocks"])
    )
    menu = next(b for b in view["blocks"] if b.get("block_id") == "problem")["element"]
    assert "initial_option" not in menu
    listed = bot.slack.suggest(user_id=ALICE, action_id=menu["action_id"], value="")
    assert [o["value"] for o in listed.body["options"]] == ["2"]
    forged = bot.slack.submit_view(
        user_id=ALICE, values=form(problem=picked("1"), value=text("0.77"))
    )
    assert "P-1 was dropped" in forged.body["errors"]["problem"]
    assert experiments(bot) == []


def test_an_error_analysis_of_an_experiment_on_a_closed_problem_is_still_welcome(bot):
    frame(bot)
    log(bot, "P-1 0.62 label smoothing")  # below the baseline: it owes an analysis
    closed_as(bot)

    command(bot, "/analysis", "E-1")
    bot.slack.submit_view(user_id=ALICE, values=analysis_form())
    bot.settle()

    assert "A-1" in rendered(command(bot, "/experiment", "show E-1").body)


def test_reopening_records_the_decision_posts_it_updates_the_card_and_takes_experiments(bot):
    frame(bot)
    closed_as(bot)
    assert "decide_cut" not in buttons(card(bot).blocks)

    answer = command(bot, "/problem", "reopen P-1 the vendor relabelled the rare classes <!here>")
    assert answer.body["response_type"] == "ephemeral" and "Recorded" in answer.body["text"]

    _, reopened = decisions(bot)
    assert (reopened.kind, reopened.decided_by) == (DecisionKind.REOPEN, ALICE)
    assert reopened.rationale == "the vendor relabelled the rare classes <!here>"
    assert problems(bot)[0].status == ProblemStatus.OPEN
    assert decision_posts(bot) == ["Decision on P-1: cut", "Decision on P-1: reopen"]
    [post] = [m for m in bot.slack.messages(CHANNEL) if m.text == "Decision on P-1: reopen"]
    shown = rendered(post.blocks)
    assert ":leftwards_arrow_with_hook: reopen. P-1 is now *open*." in shown
    assert "relabelled the rare classes &lt;!here&gt;" in shown and "<!here>" not in shown
    assert "decide_cut" in buttons(card(bot).blocks)
    assert "Closed" not in rendered(card(bot).blocks)

    log(bot, "P-1 0.81 focal loss")
    assert [e.value for e in experiments(bot)] == [0.81]
    history = rendered(command(bot, "/problem", "show P-1").body)
    assert "*cut* by" in history and "*reopen* by" in history
    assert "*reopen* — the vendor relabelled" in rendered(command(bot, "/digest").body)


def test_a_closed_card_says_how_to_reopen_it(bot):
    frame(bot)
    closed_as(bot, "ship")

    assert f"{REOPEN_FORM} takes it up again" in rendered(card(bot).blocks)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("reopen P-1", f"Say why P-1 should be reopened, in a sentence: {REOPEN_FORM}"),
        ("reopen P-1    ", "Say why P-1 should be reopened"),
        ("reopen", "Say which problem to reopen and why"),
        ("reopen P-9 worth another go", "There is no problem P-9"),
    ],
)
def test_a_reopen_without_a_reason_or_a_problem_says_what_to_type(bot, typed, says):
    frame(bot)
    closed_as(bot)
    answer = command(bot, "/problem", typed)

    assert says in rendered(answer.body)
    assert [d.kind for d in decisions(bot)] == [DecisionKind.CUT]
    assert problems(bot)[0].status == ProblemStatus.DROPPED


def test_an_open_problem_cannot_be_reopened(bot):
    frame(bot)
    answer = command(bot, "/problem", "reopen P-1 it looks promising again")

    assert "P-1 is still open: only a dropped or shipped problem can be reopened" in (
        rendered(answer.body)
    )
    assert "`/problem decide P-1 continue|pivot|cut|ship &lt;why&gt;`" in rendered(answer.body)
    assert decisions(bot) == [] and decision_posts(bot) == []


def test_a_closed_problem_takes_only_a_reopen(bot):
    frame(bot)
    closed_as(bot)
    answer = command(bot, "/problem", "decide P-1 continue one more try")

    assert f"If the work starts again, reopen it: {REOPEN_FORM}" in rendered(answer.body)
    assert len(decisions(bot)) == 1


def test_a_redelivered_reopen_stores_one_decision_and_posts_it_once(bot):
    frame(bot)
    closed_as(bot)
    first = command(bot, "/problem", "reopen P-1 new labels")
    bot.slack.redeliver(first)
    bot.slack.redeliver(first, retry_num=2)
    bot.settle()

    assert [d.kind for d in decisions(bot)] == [DecisionKind.CUT, DecisionKind.REOPEN]
    assert decision_posts(bot) == ["Decision on P-1: cut", "Decision on P-1: reopen"]
    assert problems(bot)[0].status == ProblemStatus.OPEN


def test_only_who_may_decide_may_reopen(bot):
    frame(bot)  # Alice frames and owns P-1; Bob is neither, nor an admin
    closed_as(bot)
    answer = command(bot, "/problem", "reopen P-1 I want to try again", user=BOB)

    assert "You can't decide on P-1" in rendered(answer.body)
    assert len(decisions(bot)) == 1 and problems(bot)[0].status == ProblemStatus.DROPPED


def test_help_lists_reopen(bot):
    helped = rendered(command(bot, "/problem", "help").body)

    assert "`/problem reopen P-12 &lt;why&gt;`" in helped
