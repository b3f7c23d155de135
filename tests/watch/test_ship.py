"""A ship decision writes a watch plan and puts the problem in production: by command, and
by the card's Ship button and its form. Bad plans are refused and nothing is written."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from storage.problems import ProblemStatus
from storage.watch import WatchPlan
from tests.conftest import ALICE, CHANNEL, TEAM
from tests.support.delivery import buttons, choice, command, decisions, form, frame, log, problems
from tests.support.delivery import text as typed
from tests.support.slack import rendered

SHIPPED_AT = datetime(2027, 1, 4, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_clock():
    with time_machine.travel(SHIPPED_AT, tick=False):
        yield


def plans(bot) -> list[WatchPlan]:
    with bot.runtime.db.transaction() as session:
        return list(session.scalars(select(WatchPlan).where(WatchPlan.team_id == TEAM)))


def card_of(bot):
    [problem] = problems(bot)
    return next(m for m in bot.slack.messages(CHANNEL) if m.ts == problem.card_ts)


def click_ship(bot) -> None:
    """Alice clicks Ship on P-1's card."""
    bot.slack.click(
        team_id=TEAM,
        user_id=ALICE,
        action_id="decide_ship",
        channel_id=CHANNEL,
        message_ts=problems(bot)[0].card_ts,
    )
    bot.settle()


def test_a_ship_by_command_writes_the_plan_and_the_card_shows_it(bot):
    frame(bot)
    log(bot, "P-1 0.83 class-balanced loss")
    answer = command(
        bot, "/problem", "decide P-1 ship beats target alert=0.78 check=fortnightly retrain=90d"
    )

    assert "Recorded" in answer.body["text"]
    [plan] = plans(bot)
    assert (plan.metric_name, plan.shipped_value, plan.alert_value, plan.alert_relative) == (
        "recall",
        0.83,  # the best experiment's value
        0.78,
        False,
    )
    assert (plan.check_every_days, plan.retrain_every_days, plan.owner_id) == (14, 90, ALICE)
    assert plan.shipped_at == SHIPPED_AT
    assert decisions(bot)[0].rationale == "beats target"
    assert problems(bot)[0].status == ProblemStatus.IN_PRODUCTION
    watching = (
        "recall at 0.83 at ship · alert below 0.78 · checked fortnightly · retrained every 90 days"
    )
    assert watching in rendered(card_of(bot).blocks)
    assert list(buttons(card_of(bot).blocks)) == ["watch_check_open"]
    post = next(m for m in bot.slack.messages(CHANNEL) if m.text.startswith("Decision on P-1"))
    assert "in production" in rendered(post.blocks) and watching in rendered(post.blocks)


def test_the_ship_button_asks_for_the_plan_with_its_defaults(bot):
    frame(bot)
    click_ship(bot)
    view = bot.slack.open_view(ALICE).view
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["metric"]["element"]["initial_value"] == "recall"
    assert blocks["alert"]["element"]["initial_value"] == "-5%"
    assert blocks["check"]["element"]["initial_option"]["value"] == "weekly"

    bot.slack.submit_view(
        user_id=ALICE,
        values=form(
            rationale=typed("good enough on the holdout"),
            metric=typed("recall@prod"),
            value=typed("0.81"),
            alert=typed("-5%"),
            check=choice("weekly"),
            retrain=typed(""),
        ),
    )
    bot.settle()

    [plan] = plans(bot)
    assert (plan.metric_name, plan.shipped_value, plan.alert_value, plan.alert_relative) == (
        "recall@prod",
        0.81,
        0.05,
        True,
    )
    assert (plan.check_every_days, plan.retrain_every_days) == (7, None)
    assert "alert 5% worse than at ship (below 0.7695)" in rendered(card_of(bot).blocks)


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ("alert=soon", "'soon' is not an alert threshold: give a value (`alert=0.80`)"),
        ("alert=-120%", "'-120%' is not an alert threshold"),
        ("check=hourly", "'hourly' is not a check cadence: say daily, weekly"),
        ("retrain=often", "'often' is not a retraining cadence: say a number of days"),
        ("value=high", "'high' is not a number: say the value at ship, e.g. `value=0.86`"),
    ],
)
def test_a_bad_plan_by_command_is_refused_and_nothing_is_written(bot, options, says):
    frame(bot)
    answer = command(bot, "/problem", f"decide P-1 ship good enough {options}")

    assert says in rendered(answer.body) and "Example: `/problem decide P-12 ship" in rendered(
        answer.body
    )
    assert decisions(bot) == [] and plans(bot) == []
    assert problems(bot)[0].status == ProblemStatus.OPEN


def test_a_ship_with_nothing_to_watch_says_what_to_type(bot):
    frame(bot, target="")  # no target and no experiment: no value at ship to default to
    answer = command(bot, "/problem", "decide P-1 ship good enough")

    assert "say the value at ship, e.g. `value=0.86`" in rendered(answer.body)
    assert decisions(bot) == [] and problems(bot)[0].status == ProblemStatus.OPEN


def test_a_bad_plan_on_the_form_is_refused_on_its_field(bot):
    frame(bot)
    click_ship(bot)
    answer = bot.slack.submit_view(
        user_id=ALICE,
        values=form(
            rationale=typed("good enough"),
            metric=typed("recall"),
            value=typed(""),
            alert=typed("5 percent"),
            check=choice("weekly"),
            retrain=typed("90d"),
        ),
    )

    assert answer.body["response_action"] == "errors"
    assert set(answer.body["errors"]) == {"alert"}
    assert decisions(bot) == [] and plans(bot) == []
    assert bot.slack.open_view(ALICE) is not None
