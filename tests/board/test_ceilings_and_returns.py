"""On the board and in the digest: the top error-analysis ceiling of each open problem, and
its diminishing-returns flag with the evidence and the decision buttons."""

from __future__ import annotations

import pytest

from tests.board.test_board import board
from tests.conftest import ALICE, CHANNEL, TEAM
from tests.digest.test_digest import digest
from tests.support.delivery import buttons
from tests.support.plateau import (  # noqa: F401 (clock: a fixture)
    CLIMBING,
    COLD_START,
    DECIDE,
    EVIDENCE,
    FIRST,
    FLAT,
    analysed_failure,
    clock,
    recall,
    tries,
)
from tests.support.slack import posted, rendered

pytestmark = pytest.mark.usefixtures("clock")


def test_the_board_shows_the_top_ceiling_of_each_problems_latest_analysis(bot):
    recall(bot, baseline="0.60")
    recall(bot, "Precision on rare classes", baseline="0.60")
    analysed_failure(bot, 1, 1)

    shown = rendered(board(bot, ALICE))

    assert f"Top ceiling: A-1 on E-1: {COLD_START}" in shown
    assert shown.count("Top ceiling") == 1  # P-2 has no analysis


def test_a_problem_whose_best_stopped_moving_is_flagged_with_evidence_and_buttons(bot):
    recall(bot)
    tries(bot, 1, FIRST, *FLAT)

    home = board(bot, ALICE)

    assert f"*Diminishing returns*: {EVIDENCE}" in rendered(home)
    found = buttons(home["blocks"])
    assert set(found) >= DECIDE and {found[a]["value"] for a in DECIDE} == {"1"}
    bot.slack.click(
        team_id=TEAM,
        user_id=ALICE,
        action_id="decide_pivot",
        value=found["decide_pivot"]["value"],
        view_id=home["id"],
    )
    bot.settle()
    assert bot.slack.open_view(ALICE).view["callback_id"] == "decision_modal"


def test_the_digest_shows_the_top_ceiling_of_each_active_problems_latest_analysis(bot):
    recall(bot, baseline="0.60")
    analysed_failure(bot, 1, 1)

    shown = rendered(digest(bot).body["blocks"])

    assert "*Error analysis ceilings*" in shown
    assert f"*P-1* Recall on rare classes: A-1 on E-1: {COLD_START}" in shown


def test_the_posted_digest_flags_diminishing_returns_with_the_decision_buttons(bot):
    recall(bot)
    tries(bot, 1, FIRST, *FLAT)

    digest(bot, "now")

    [message] = [m for m in posted(bot.slack, CHANNEL) if "Weekly digest" in m.args["text"]]
    shown = rendered(message.args["blocks"])
    assert "*Needs a decision*" in shown
    flagged = f"*P-1* Recall on rare classes: diminishing returns, {EVIDENCE}"
    assert f"{flagged} (E-2, E-3, E-4, E-5, E-6)" in shown
    found = buttons(message.args["blocks"])
    assert set(found) >= DECIDE and found["decide_cut"]["value"] == "1"
    bot.slack.click(
        team_id=TEAM,
        user_id=ALICE,
        action_id="decide_cut",
        value="1",
        channel_id=CHANNEL,
        message_ts=message.response["ts"],
    )
    bot.settle()
    assert bot.slack.open_view(ALICE).view["callback_id"] == "decision_modal"


def test_no_flag_with_fewer_than_five_flat_experiments_or_a_best_still_moving(bot):
    recall(bot)
    tries(bot, 1, FIRST, *FLAT[:4])
    recall(bot, "Precision on rare classes")
    tries(bot, 2, *CLIMBING)

    home, preview = board(bot, ALICE), digest(bot).body

    assert "diminishing returns" not in (rendered(home) + rendered(preview)).lower()
    assert not DECIDE & (set(buttons(home["blocks"])) | set(buttons(preview["blocks"])))
