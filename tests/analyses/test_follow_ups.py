"""Follow-ups of an error analysis are work items: their owners are told by DM, see them on
their board with a Done button, and one open two weeks shows in the digest."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from tests.analyses.test_analyses import analysis_form
from tests.board.test_board import board
from tests.conftest import ALICE, BOB, CAROL, CHANNEL, TEAM
from tests.digest.test_digest import digest
from tests.support.delivery import analyses, buttons, command, frame, log, person, text
from tests.support.plateau import NOW, clock  # noqa: F401 (clock: a fixture)
from tests.support.slack import rendered, seen_by

pytestmark = pytest.mark.usefixtures("clock")
RELABEL = "Relabel the 10 wrong labels"


def analysed(bot, **follow_ups) -> None:
    """P-1, E-1 below its baseline, and Alice's analysis of it with `follow_ups`."""
    frame(bot)
    log(bot, "P-1 0.62 label smoothing")
    command(bot, "/analysis", "E-1")
    bot.slack.submit_view(user_id=ALICE, values=analysis_form(**follow_ups))
    bot.settle()


def told(bot, user: str) -> list:
    return [m for m in bot.slack.messages(user) if "follow-up" in m.text.lower()]


def press_done(bot, user: str, message) -> None:
    done = buttons(message.blocks)["follow_up_done"]
    bot.slack.click(
        team_id=TEAM,
        user_id=user,
        action_id=done["action_id"],
        value=done["value"],
        channel_id=user,
        message_ts=message.ts,
    )
    bot.settle()


def thread_post(bot) -> str:
    post = next(m for m in bot.slack.messages(CHANNEL) if m.ts == analyses(bot)[0].message_ts)
    return rendered(post.blocks)


def test_each_owner_is_told_once_by_dm_and_the_author_is_not(bot):
    analysed(
        bot,
        follow_up_0=text(f"{RELABEL} <!channel>"),
        owner_0=person(BOB),
        follow_up_1=text("Write the augmentation ablation"),
        owner_1=person(ALICE),
    )

    [dm] = told(bot, BOB)
    shown = rendered(dm.blocks)
    assert f"<@{ALICE}> gave you a follow-up in *A-1 (E-1, P-1)*" in shown
    assert f"{RELABEL} &lt;!channel&gt;" in shown and "<!channel>" not in shown
    assert "follow_up_done" in buttons(dm.blocks)
    assert told(bot, ALICE) == []

    # An edit that keeps Bob's follow-up and adds Carol's tells Carol, and Bob not again.
    command(bot, "/analysis", "edit A-1")
    bot.slack.submit_view(
        user_id=ALICE,
        values=analysis_form(
            follow_up_0=text(f"{RELABEL} <!channel>"),
            owner_0=person(BOB),
            follow_up_1=text("Check the night-time slice"),
            owner_1=person(CAROL),
        ),
    )
    bot.settle()

    assert len(told(bot, BOB)) == 1
    [carols] = told(bot, CAROL)
    assert "Check the night-time slice" in rendered(carols.blocks)


def test_done_in_the_dm_closes_it_everywhere(bot):
    analysed(bot, follow_up_0=text(RELABEL), owner_0=person(BOB))
    assert RELABEL in rendered(board(bot, BOB))
    [dm] = told(bot, BOB)
    pressed = dict(dm.__dict__)  # what Slack kept of the message before it was replaced

    press_done(bot, BOB, dm)

    assert dm.text == f"Done: {RELABEL}"
    assert buttons(dm.blocks) == {}
    assert f":white_check_mark: {RELABEL} (<@{BOB}>) · done" in thread_post(bot)
    home = rendered(board(bot, BOB))
    assert RELABEL not in home and "Your follow-ups" not in home
    # A second press of the old button (a double click) changes nothing more.
    press_done(bot, BOB, type(dm)(**pressed))
    assert thread_post(bot).count("· done") == 1


def test_done_on_the_board_redraws_the_board(bot):
    analysed(bot, follow_up_0=text(RELABEL), owner_0=person(BOB))
    home = board(bot, BOB)
    assert "Your follow-ups (1)" in rendered(home)
    done = buttons(home["blocks"])["follow_up_done"]

    bot.slack.click(
        team_id=TEAM,
        user_id=BOB,
        action_id=done["action_id"],
        value=done["value"],
        view_id=home["id"],
    )
    bot.settle()

    assert RELABEL not in rendered(bot.slack.home(team_id=TEAM, user_id=BOB))
    assert "· done" in thread_post(bot)


def test_only_its_owner_its_author_the_problems_owner_or_an_admin_may_mark_it_done(bot):
    analysed(bot, follow_up_0=text(RELABEL), owner_0=person(CAROL))
    [dm] = told(bot, CAROL)
    done = buttons(dm.blocks)["follow_up_done"]

    answer = bot.slack.click(
        team_id=TEAM, user_id=BOB, action_id=done["action_id"], value=done["value"]
    )
    bot.settle()

    assert answer.status == 200
    [refused] = [m for m in bot.slack.messages(BOB) if "can't mark" in m.text]
    assert "only its owner, the analysis's author, the problem's owner" in refused.text
    assert "· done" not in thread_post(bot)
    assert RELABEL in rendered(board(bot, CAROL))


def test_one_nobody_was_given_is_on_its_authors_board(bot):
    analysed(bot, follow_up_0=text(RELABEL), owner_0=person(BOB))

    alices = rendered(board(bot, ALICE))
    assert "Your follow-ups (1)" in alices and "Write the augmentation ablation" in alices
    assert RELABEL not in alices


def test_the_digest_lists_follow_ups_open_two_weeks_or_more(bot):
    analysed(bot, follow_up_0=text(RELABEL), owner_0=person(BOB), follow_up_1=text(""))

    with time_machine.travel(NOW + timedelta(days=10), tick=True):
        assert "Follow-ups open two weeks" not in rendered(digest(bot).body["blocks"])
    with time_machine.travel(NOW + timedelta(days=15), tick=True):
        shown = rendered(digest(bot).body["blocks"])
        assert "*Follow-ups open two weeks or more*" in shown
        since = f"• {RELABEL} (A-1 (E-1, P-1), since Nov 30, 2026) — <@{BOB}>"
        assert since in seen_by(shown, "Europe/London")
        press_done(bot, BOB, told(bot, BOB)[0])
        assert "Follow-ups open two weeks" not in rendered(digest(bot).body["blocks"])
