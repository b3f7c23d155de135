"""Participation, honestly: the cut-off summary and the weekly digest say who was prompted,
who answered, who was away, and each person's response rate over four weeks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from runtime.clock import RitualScheduler
from tests.conftest import ALICE, BOB, CAROL, CHANNEL, TEAM
from tests.support.slack import rendered
from tests.support.standup import answers_form, click_answer, client_for, make_standup

WEDNESDAY, THURSDAY, FRIDAY = date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 27)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), UTC)


def standup_day(bot, clock: RitualScheduler, day: date, *, answering: tuple[str, ...]) -> None:
    """The clock prompts at 09:30 UTC, `answering` answer, and the cut-off comes at 17:00."""
    with time_machine.travel(at(day, 9, 30), tick=False):
        clock.fire_due(at(day, 9, 30))
    with time_machine.travel(at(day, 10), tick=True):
        for person in answering:
            click_answer(bot, person)
            bot.slack.submit_view(user_id=person, values=answers_form("ablation", "", "none", ""))
            bot.settle()
    with time_machine.travel(at(day, 17), tick=False):
        clock.fire_due(at(day, 17))


def summary_of(bot, day: date) -> str:
    [summary] = [r for r in thread_replies_of(bot, day) if r.text.startswith("Standup summary")]
    return rendered(summary.blocks)


def thread_replies_of(bot, day: date) -> list:
    parent = next(m for m in bot.slack.messages(CHANNEL) if m.text == f"Standup · {day:%a %d %b}")
    return [m for m in bot.slack.thread(CHANNEL, parent.ts) if m.ts != parent.ts]


@pytest.fixture
def three_days(bot):
    """Wed: Alice and Carol answer, Bob does not. Thu: only Alice. Fri: Bob is away (he
    said so in the morning), Alice answers, Carol does not."""
    make_standup(
        bot.runtime.db, bot.slack, team_id=TEAM, channel_id=CHANNEL, owner=ALICE, rule="team"
    )
    clock = RitualScheduler(
        db=bot.runtime.db, client_factory=lambda _team: client_for(bot.slack, TEAM)
    )
    standup_day(bot, clock, WEDNESDAY, answering=(ALICE, CAROL))
    standup_day(bot, clock, THURSDAY, answering=(ALICE,))
    with time_machine.travel(at(FRIDAY, 8), tick=True):
        bot.slack.slash_command(
            team_id=TEAM, user_id=BOB, channel_id=CHANNEL, command="/standup", text="skip"
        )
        bot.settle()
    standup_day(bot, clock, FRIDAY, answering=(ALICE,))
    return bot


def test_the_summary_names_who_was_prompted_answered_silent_and_away(three_days):
    shown = summary_of(three_days, FRIDAY)
    assert "2 prompted · 1 answered · 1 no answer · 1 away" in shown
    assert f"*Answered (1)*: <@{ALICE}>" in shown
    assert f"*No answer (1)*: <@{CAROL}>" in shown
    assert f"*Away (1)*: <@{BOB}>" in shown


def test_the_summary_gives_each_persons_response_rate_over_four_weeks_lowest_first(three_days):
    shown = summary_of(three_days, FRIDAY)
    assert (
        f"*Response rate, last 4 weeks*: <@{BOB}> 0/2 (0%) · <@{CAROL}> 1/3 (33%) · "
        f"<@{ALICE}> 3/3 (100%)"
    ) in shown


def test_a_day_when_one_of_three_answered_does_not_read_as_everyone_took_part(three_days):
    shown = summary_of(three_days, THURSDAY)
    assert "2 prompted" not in shown
    assert "3 prompted · 1 answered · 2 no answer · 0 away" in shown
    assert f"*No answer (2)*: <@{BOB}>, <@{CAROL}>" in shown


def test_the_digest_shows_the_weeks_prompted_answered_and_away_with_four_week_rates(three_days):
    bot = three_days
    with time_machine.travel(at(FRIDAY, 18), tick=True):
        answer = bot.slack.slash_command(
            team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/digest", text=""
        )
        bot.settle()
    shown = rendered(answer.body["blocks"])
    assert "3 standup days · 3 prompted · 2 answered · 1 away" in shown
    assert f"• <@{ALICE}> answered 3 of 3 days · 4 weeks: 3/3 (100%)" in shown
    assert f"• <@{CAROL}> answered 1 of 3 days · 4 weeks: 1/3 (33%)" in shown
    assert f"• <@{BOB}> answered 0 of 2 days, away 1 day · 4 weeks: 0/2 (0%)" in shown


def test_the_four_week_rate_forgets_days_older_than_four_weeks(three_days):
    bot = three_days
    clock = RitualScheduler(
        db=bot.runtime.db, client_factory=lambda _team: client_for(bot.slack, TEAM)
    )
    four_weeks_on = WEDNESDAY + timedelta(days=28)
    standup_day(bot, clock, four_weeks_on, answering=(ALICE,))
    shown = summary_of(bot, four_weeks_on)
    # Carol's Wednesday answer is 28 days old: her rate counts Thursday, Friday and today.
    assert (
        f"*Response rate, last 4 weeks*: <@{BOB}> 0/2 (0%) · <@{CAROL}> 0/3 (0%) · "
        f"<@{ALICE}> 3/3 (100%)"
    ) in shown
