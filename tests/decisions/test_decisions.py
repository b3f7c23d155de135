"""Decisions on the record: `/problem decide` and the buttons on a problem's card."""

from __future__ import annotations

import pytest

from storage.problems import ProblemStatus
from tests.conftest import ALICE, BOB, CAROL, CHANNEL, OTHER_TEAM, TEAM
from tests.support.delivery import buttons, command, decisions, form, frame, problems, text
from tests.support.slack import rendered


def decision_posts(bot) -> list:
    return [m for m in bot.slack.messages(CHANNEL) if m.text.startswith("Decision on")]


def click_cut_losses(bot, *, user: str) -> None:
    """`user` clicks "Cut losses" on P-1's card in the channel."""
    bot.slack.click(
        team_id=TEAM,
        user_id=user,
        action_id="decide_cut",
        channel_id=CHANNEL,
        message_ts=problems(bot)[0].card_ts,
    )
    bot.settle()


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("continue", ProblemStatus.OPEN),
        ("pivot", ProblemStatus.OPEN),
        ("cut", ProblemStatus.DROPPED),
        ("ship", ProblemStatus.IN_PRODUCTION),
    ],
)
def test_a_decision_is_recorded_and_posted_and_cut_or_ship_closes_the_problem(bot, kind, status):
    frame(bot)
    answer = command(bot, "/problem", f"decide P-1 {kind} recall plateaued at 0.74 <!here>")

    assert answer.body["response_type"] == "ephemeral" and "Recorded" in answer.body["text"]
    [decision] = decisions(bot)
    assert (decision.kind.value, decision.decided_by) == (kind, ALICE)
    assert decision.rationale == "recall plateaued at 0.74 <!here>"
    [problem] = problems(bot)
    assert problem.status == status
    [post] = decision_posts(bot)
    shown = rendered(post.blocks)
    assert "recall plateaued at 0.74 &lt;!here&gt;" in shown and "<!here>" not in shown
    card = next(m for m in bot.slack.messages(CHANNEL) if m.ts == problem.card_ts)
    if status == ProblemStatus.DROPPED:
        assert "decide_cut" not in buttons(card.blocks)
        assert "Closed" in rendered(card.blocks)
    elif status == ProblemStatus.IN_PRODUCTION:
        assert list(buttons(card.blocks)) == ["watch_check_open"]
        assert "In production" in rendered(card.blocks)
    else:
        assert "decide_cut" in buttons(card.blocks)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("decide P-7 cut nothing left", "There is no problem P-7"),
        ("decide P-1 abandon because", "'abandon' is not a decision"),
        ("decide P-1 ship", "Say why"),
        ("decide P-1", "Say which problem and what you decide"),
    ],
)
def test_bad_decisions_say_what_was_wrong_and_record_nothing(bot, typed, says):
    frame(bot)
    answer = command(bot, "/problem", typed)

    assert says in rendered(answer.body)
    assert decisions(bot) == [] and decision_posts(bot) == []


def test_a_closed_problem_takes_no_further_decision(bot):
    frame(bot)
    command(bot, "/problem", "decide P-1 ship good enough")
    answer = command(bot, "/problem", "decide P-1 continue more")

    assert "P-1 is already shipped" in rendered(answer.body)
    assert len(decisions(bot)) == 1


def test_another_workspace_cannot_decide_on_our_problem(bot):
    frame(bot)
    answer = command(
        bot,
        "/problem",
        "decide P-1 cut hostile",
        team=OTHER_TEAM,
        user="U0MALLORY",
        channel="C0OTHER",
    )

    assert "There is no problem P-1" in rendered(answer.body)
    assert problems(bot)[0].status == ProblemStatus.OPEN


def test_a_card_button_opens_a_small_form_and_its_rationale_is_recorded(bot):
    frame(bot, owner=BOB)
    click_cut_losses(bot, user=BOB)
    view = bot.slack.open_view(BOB)
    assert view.view["callback_id"] == "decision_modal"
    assert view.view["title"]["text"] == "Cut losses on P-1"

    empty = bot.slack.submit_view(user_id=BOB, values=form(rationale=text("   ")))
    assert empty.body["response_action"] == "errors" and "rationale" in empty.body["errors"]

    bot.slack.submit_view(user_id=BOB, values=form(rationale=text("4 runs, no gain")), double=True)
    bot.settle()

    [decision] = decisions(bot)
    assert (decision.kind.value, decision.decided_by, decision.rationale) == (
        "cut",
        BOB,
        "4 runs, no gain",
    )
    assert problems(bot)[0].status == ProblemStatus.DROPPED
    assert len(decision_posts(bot)) == 1


def test_a_member_who_may_not_decide_is_told_who_may_and_gets_no_form(bot):
    frame(bot)  # Alice frames and owns P-1; Bob is neither, nor an admin
    typed = command(bot, "/problem", "decide P-1 cut no signal", user=BOB)
    click_cut_losses(bot, user=BOB)

    refusal = "You can't decide on P-1: only its author, its owner or a workspace admin can."
    instead = "Add your evidence in the thread under P-1's card, or ask its owner to decide"
    assert typed.body["response_type"] == "ephemeral"
    assert refusal in rendered(typed.body) and instead in rendered(typed.body)
    [told] = bot.slack.ephemerals(CHANNEL, BOB)
    assert refusal in told.text and instead in told.text
    assert bot.slack.open_view(BOB) is None
    assert decisions(bot) == [] and decision_posts(bot) == []
    assert problems(bot)[0].status == ProblemStatus.OPEN

    command(bot, "/problem", "decide P-1 cut no signal after 4 runs", user=CAROL)  # an admin
    assert [(d.kind.value, d.decided_by) for d in decisions(bot)] == [("cut", CAROL)]
    assert problems(bot)[0].status == ProblemStatus.DROPPED
    helped = rendered(command(bot, "/problem", "help", user=BOB).body)
    assert "its author, its owner or a workspace admin decides" in helped


def test_show_lists_the_decisions_and_home_shows_the_recent_ones(bot):
    frame(bot)
    command(bot, "/problem", "decide P-1 pivot try a retrieval model")

    assert "*pivot* by" in rendered(command(bot, "/problem", "show P-1").body)
    bot.slack.open_home(team_id=TEAM, user_id=BOB)
    bot.settle()
    home = rendered(bot.slack.home(team_id=TEAM, user_id=BOB))
    assert "Recent decisions" in home and "try a retrieval model" in home
