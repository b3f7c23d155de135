"""The board and the digest show each model in production: its last check and its trend
against the value at ship, the days since its last retrain, and an overdue check."""

from __future__ import annotations

import time_machine

from tests.conftest import ALICE, CHANNEL, TEAM
from tests.support.delivery import choice, command, form, problems
from tests.support.delivery import text as typed
from tests.support.slack import rendered
from tests.support.watch import SHIPPED_AT, press, ship, utc

CHECKED_AT = utc(2027, 1, 11, 11)  # the first weekly check, a week after the ship
LOOKED_AT = utc(2027, 1, 20, 12)  # the next was due on the 18th: two days overdue


def check(bot, value: str) -> None:
    """Alice records a check from P-1's card."""
    [problem] = problems(bot)
    card = next(m for m in bot.slack.messages(CHANNEL) if m.ts == problem.card_ts)
    with time_machine.travel(CHECKED_AT, tick=False):
        press(bot, card, "watch_check_open", channel=CHANNEL)
        bot.slack.submit_view(
            user_id=ALICE, values=form(value=typed(value), shifted=choice("no"), note=typed(""))
        )
        bot.settle()


def test_the_board_shows_the_last_check_its_trend_the_retrain_and_an_overdue_check(bot):
    ship(bot, SHIPPED_AT, "alert=0.78 retrain=14d")
    check(bot, "0.74")

    with time_machine.travel(LOOKED_AT, tick=False):
        bot.slack.open_home(team_id=TEAM, user_id=ALICE)
        bot.settle()
    shown = rendered(bot.slack.home(team_id=TEAM, user_id=ALICE))

    assert "In production (1)" in shown
    assert "*P-1* Recall on rare classes: recall 0.74 on" in shown
    assert "(−10.8% vs 0.83 at ship) :rotating_light:" in shown
    assert "shipped 16 days ago · *retraining due* (every 14 days)" in shown
    assert "*check overdue by 2 days*" in shown
    # The owner's daily watch is not a channel ritual: the next rituals do not list it.
    assert "Watch" not in shown.split("Next rituals")[-1]


def test_the_digest_has_an_in_production_section(bot):
    ship(bot, SHIPPED_AT)
    check(bot, "0.82")

    with time_machine.travel(LOOKED_AT, tick=False):
        preview = command(bot, "/digest")
    shown = rendered(preview.body)

    assert "*In production*" in shown
    assert "recall 0.82 on" in shown and "(−1.2% vs 0.83 at ship)" in shown
    assert ":rotating_light:" not in shown and "*check overdue by 2 days*" in shown
