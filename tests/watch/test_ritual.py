"""The watch ritual under a fixed clock: the owner is asked for due checks by DM, an alert
goes in the problem's thread and its buttons answer it, a retrain is reminded on its
local day across a DST change, and a check missed while no clock ran is asked once."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from runtime.clock import RitualScheduler
from storage.problems import ProblemStatus, Track
from storage.watch import CheckOutcome, WatchCheck, WatchPlan
from tests.conftest import ALICE, CHANNEL, TEAM
from tests.support.delivery import buttons, choice, command, form, problems
from tests.support.delivery import text as typed
from tests.support.slack import rendered
from tests.support.standup import client_for
from tests.support.watch import SHIPPED_AT, press, ship, utc


def fire(bot, clock: RitualScheduler, at: datetime) -> None:
    """One minute of a clock process: its ritual triggers, then its outbox sweep."""
    with time_machine.travel(at, tick=False):
        clock.fire_due(at)
        clock.sender.sweep()
    bot.settle()


@pytest.fixture
def clock(bot, emulator) -> RitualScheduler:
    client = client_for(emulator, TEAM)
    return RitualScheduler(db=bot.runtime.db, client_factory=lambda _team: client)


def asked(bot) -> list:
    return [m for m in bot.slack.messages(ALICE) if m.text.startswith("Time to check P-1")]


def reminded(bot) -> list:
    return [m for m in bot.slack.messages(ALICE) if m.text == "P-1 is due for retraining"]


def test_a_check_past_the_threshold_alerts_in_the_thread_and_opens_a_linked_problem(bot, clock):
    ship(bot, SHIPPED_AT)
    fire(bot, clock, utc(2027, 1, 11, 9, 59))
    assert asked(bot) == []
    fire(bot, clock, utc(2027, 1, 11, 10, 0))
    [prompt] = asked(bot)
    assert "recall at 0.83 at ship · alert below 0.78" in rendered(prompt.blocks)

    with time_machine.travel(utc(2027, 1, 11, 10, 5), tick=False):
        press(bot, prompt, "watch_check_open", channel=ALICE)
        answer = bot.slack.submit_view(
            user_id=ALICE,
            values=form(
                value=typed("0.74"), shifted=choice("yes"), note=typed("PSI 0.31 > 0.2 <!here>")
            ),
        )
        bot.settle()
    assert "An alert went to its thread" in rendered(answer.body)
    shipped = problems(bot)[0]
    [_card, alert] = bot.slack.thread(CHANNEL, shipped.card_ts)
    shown = rendered(alert.blocks)
    assert "Watch alert on P-1" in shown and "read *0.74*" in shown
    assert "the input data has shifted: PSI 0.31 &gt; 0.2 &lt;!here&gt;" in shown
    assert list(buttons(alert.blocks)) == ["watch_open_problem", "watch_retrain", "watch_keep"]

    with time_machine.travel(utc(2027, 1, 11, 10, 10), tick=False):
        # Pressed twice (a double click): one problem is opened.
        press(bot, alert, "watch_open_problem", channel=CHANNEL, times=2)

    [told] = bot.slack.ephemerals(CHANNEL, ALICE)
    assert "This alert on P-1 was already answered: a problem was opened from it." in told.text
    [shipped, opened] = problems(bot)
    assert (shipped.status, opened.status, opened.track) == (
        ProblemStatus.IN_PRODUCTION,
        ProblemStatus.OPEN,
        Track.DISCOVERY,
    )
    assert opened.metric_name == "recall" and (opened.baseline, opened.target) == (0.74, 0.83)
    assert "P-1, in production" in opened.prior_work
    assert "PSI 0.31 > 0.2" in opened.statement
    with bot.runtime.db.transaction() as session:
        check = session.scalar(select(WatchCheck))
        assert (check.outcome, check.opened_problem_id) == (CheckOutcome.REOPENED, opened.id)
    assert any(m.ts == opened.card_ts for m in bot.slack.messages(CHANNEL))
    [_, alert] = bot.slack.thread(CHANNEL, shipped.card_ts)
    assert "opened P-2 from it" in rendered(alert.blocks) and not buttons(alert.blocks)


def test_a_check_within_the_plan_posts_nothing_and_the_next_is_a_cadence_later(bot, clock):
    ship(bot, SHIPPED_AT)
    fire(bot, clock, utc(2027, 1, 11, 10, 0))
    with time_machine.travel(utc(2027, 1, 11, 11), tick=False):
        press(bot, asked(bot)[0], "watch_check_open", channel=ALICE)
        wrong = bot.slack.submit_view(
            user_id=ALICE, values=form(value=typed("0,82"), shifted=choice("no"), note=typed(""))
        )
        assert wrong.body["errors"] == {
            "value": "'0,82' is not a number: type the value, e.g. 0.84."
        }
        bot.slack.submit_view(
            user_id=ALICE, values=form(value=typed("0.82"), shifted=choice("no"), note=typed(""))
        )
        bot.settle()
    shipped = problems(bot)[0]
    assert len(bot.slack.thread(CHANNEL, shipped.card_ts)) == 1
    fire(bot, clock, utc(2027, 1, 17, 10, 0))
    assert len(asked(bot)) == 1
    fire(bot, clock, utc(2027, 1, 18, 10, 0))
    assert len(asked(bot)) == 2


def test_a_check_missed_while_the_clock_was_down_is_asked_once(bot, clock, emulator):
    ship(bot, SHIPPED_AT)
    # Down over the 11th's 10:00; back at 15:00: the missed run is delivered, late.
    fire(bot, clock, utc(2027, 1, 11, 15, 0))
    assert len(asked(bot)) == 1
    # More passes, a restarted clock, and the next days' runs: still one question.
    fire(bot, clock, utc(2027, 1, 11, 15, 1))
    again = RitualScheduler(
        db=bot.runtime.db, client_factory=lambda _team: client_for(emulator, TEAM)
    )
    fire(bot, again, utc(2027, 1, 11, 16, 0))
    fire(bot, again, utc(2027, 1, 12, 10, 0))
    fire(bot, again, utc(2027, 1, 13, 10, 0))
    assert len(asked(bot)) == 1


def test_a_check_missed_for_days_is_asked_once_by_the_next_run(bot, clock):
    ship(bot, SHIPPED_AT)
    fire(bot, clock, utc(2027, 1, 13, 9, 0))  # the 11th and 12th runs are past their grace
    assert asked(bot) == []
    fire(bot, clock, utc(2027, 1, 13, 10, 0))
    fire(bot, clock, utc(2027, 1, 14, 10, 0))
    assert len(asked(bot)) == 1


@pytest.mark.parametrize(
    ("zone", "shipped", "due_at"),
    [
        # 90 days after 28 Dec is 28 Mar 2027, the day London springs forward: 10:00 BST.
        ("Europe/London", utc(2026, 12, 28, 12), utc(2027, 3, 28, 9, 0)),
        # 90 days after 2 Aug is 31 Oct 2027, the day London falls back: 10:00 GMT.
        ("Europe/London", utc(2027, 8, 2, 12), utc(2027, 10, 31, 10, 0)),
        # 90 days after 8 Dec 2025 is 8 Mar 2026, New York's spring forward: 10:00 EDT,
        # 14:00 UTC (10:00 EST, the day before's offset, would be 15:00).
        ("America/New_York", utc(2025, 12, 8, 12), utc(2026, 3, 8, 14, 0)),
        # 90 days after 3 Aug is 1 Nov 2026, New York's fall back: 10:00 EST, 15:00 UTC
        # (14:00 UTC, an hour early, is 10:00 EDT, the day before's offset).
        ("America/New_York", utc(2026, 8, 3, 12), utc(2026, 11, 1, 15, 0)),
    ],
    ids=[
        "london-spring-forward",
        "london-fall-back",
        "new-york-spring-forward",
        "new-york-fall-back",
    ],
)
def test_a_retrain_is_reminded_at_10_local_on_a_dst_boundary(bot, clock, zone, shipped, due_at):
    with time_machine.travel(shipped, tick=False):
        command(bot, "/digest", f"schedule monday 09:00 {zone}")  # the team's timezone
    ship(bot, shipped, "alert=-5% retrain=90d")
    # Not the day before, at its 10:00 local (the other side of the change).
    day_before = due_at.astimezone(ZoneInfo(zone)).date() - timedelta(days=1)
    fire(bot, clock, datetime.combine(day_before, time(10), tzinfo=ZoneInfo(zone)))
    assert reminded(bot) == []
    for early in (timedelta(hours=1), timedelta(minutes=1)):
        fire(bot, clock, due_at - early)
        assert reminded(bot) == []
    fire(bot, clock, due_at)
    [reminder] = reminded(bot)
    assert "due for retraining on" in rendered(reminder.blocks)
    fire(bot, clock, due_at + timedelta(hours=1))
    assert len(reminded(bot)) == 1

    with time_machine.travel(due_at + timedelta(hours=2), tick=False):
        press(bot, reminder, "watch_retrained", channel=ALICE)
    with bot.runtime.db.transaction() as session:
        plan = session.scalar(select(WatchPlan))
        assert plan.trained_at == due_at + timedelta(hours=2)
    [done] = [m for m in bot.slack.messages(ALICE) if m.text == "Retrain of P-1 recorded"]
    assert "Next retrain due in 90 days" in rendered(done.blocks)


@pytest.mark.parametrize(
    ("action_id", "outcome", "says"),
    [
        ("watch_retrain", CheckOutcome.RETRAINED, "retrained"),
        ("watch_keep", CheckOutcome.KEPT, "kept watching"),
    ],
)
def test_an_alert_answered_with_retrain_or_keep_watching(bot, clock, action_id, outcome, says):
    ship(bot, SHIPPED_AT, "alert=-5% retrain=90d")
    card_ts = problems(bot)[0].card_ts
    card = next(m for m in bot.slack.messages(CHANNEL) if m.ts == card_ts)
    answered_at = utc(2027, 1, 6, 9, 30)
    with time_machine.travel(answered_at, tick=False):
        press(bot, card, "watch_check_open", channel=CHANNEL)
        bot.slack.submit_view(
            user_id=ALICE, values=form(value=typed("0.78"), shifted=choice("no"), note=typed(""))
        )
        bot.settle()
        [_card, alert] = bot.slack.thread(CHANNEL, card_ts)
        assert "5% worse than at ship (below 0.7885)" in rendered(alert.blocks)
        press(bot, alert, action_id, channel=CHANNEL)

    assert f"<@{ALICE}> {says}." in rendered(alert.blocks) and not buttons(alert.blocks)
    with bot.runtime.db.transaction() as session:
        assert session.scalar(select(WatchCheck.outcome)) == outcome
        trained_at = session.scalar(select(WatchPlan.trained_at))
    assert trained_at == (answered_at if outcome == CheckOutcome.RETRAINED else SHIPPED_AT)
    assert len(problems(bot)) == 1
