"""App Home as the team's board: progress per problem, the viewer's owed analyses, decisions."""

from __future__ import annotations

from tests.conftest import ALICE, BOB, CHANNEL, TEAM
from tests.support.delivery import buttons, experiments, form, frame, log, picked, text
from tests.support.slack import rendered


def board(bot, user: str) -> dict:
    bot.slack.open_home(team_id=TEAM, user_id=user)
    bot.settle()
    return bot.slack.home(team_id=TEAM, user_id=user)


def test_the_board_shows_each_problems_progress_and_only_the_viewers_debts(bot):
    frame(bot, "Recall on rare classes", baseline="0.70", target="0.80")
    frame(bot, "Latency", baseline="120", target="80", direction="lower", track="discovery")
    log(bot, "P-1 0.78 better")
    log(bot, "P-1 0.60 worse")
    log(bot, "P-2 130 slower", user=BOB)

    alice = board(bot, ALICE)
    shown = rendered(alice)
    assert "Discovery (1)" in shown and "Delivery (1)" in shown
    assert "recall ↑ 0.7 → best 0.78 → target 0.8 (80% of the way)" in shown
    assert "recall ↓ 120 → best 130 → target 80 (0% of the way)" in shown
    assert "Error analyses you owe (1)" in shown and "*E-2* on P-1" in shown
    assert "E-3" not in shown
    assert len(alice["blocks"]) < 100
    assert "Error analyses you owe (1)" in rendered(board(bot, BOB)) and "*E-3*" in rendered(
        board(bot, BOB)
    )


def test_an_owed_analysis_starts_from_the_board(bot):
    frame(bot)
    log(bot, "P-1 0.5 broke the sampler")
    home = board(bot, ALICE)
    start = buttons(home["blocks"])["analysis_start"]
    bot.slack.click(
        team_id=TEAM,
        user_id=ALICE,
        action_id=start["action_id"],
        value=start["value"],
        view_id=home["id"],
    )
    bot.settle()

    assert bot.slack.open_view(ALICE).view["callback_id"] == "analysis_modal"


def test_an_experiment_logged_from_the_board_is_posted_in_its_problems_channel(bot):
    frame(bot)
    home = board(bot, ALICE)
    bot.slack.click(team_id=TEAM, user_id=ALICE, action_id="experiment_new", view_id=home["id"])
    bot.settle()
    bot.slack.submit_view(user_id=ALICE, values=form(problem=picked("1"), value=text("0.74")))
    bot.settle()

    [stored] = experiments(bot)
    assert stored.message_channel == CHANNEL and stored.channel_id is None
