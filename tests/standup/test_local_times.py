"""Times in the reader's zone: reminders, prompts and the day's thread give the cut-off as
each reader's own clock shows it."""

from __future__ import annotations

from datetime import UTC, datetime, time

import time_machine

from runtime.clock import RitualScheduler
from tests.conftest import ALICE, BOB, CAROL, CHANNEL, TEAM
from tests.support.slack import rendered, seen_by
from tests.support.standup import client_for, make_standup, reminders

FRIDAY = datetime(2026, 11, 27, tzinfo=UTC)  # London is on UTC in November


def run_morning(bot, *, rule: str) -> None:
    """A 09:30 standup with a reminder an hour later and an 18:00 cut-off, run by the clock."""
    make_standup(
        bot.runtime.db,
        bot.slack,
        team_id=TEAM,
        channel_id=CHANNEL,
        owner=ALICE,
        rule=rule,
        zone="Europe/London",
        cutoff=time(18, 0),
        reminder=60,
    )
    clock = RitualScheduler(
        db=bot.runtime.db, client_factory=lambda _team: client_for(bot.slack, TEAM)
    )
    for hour, minute in ((9, 30), (10, 30)):
        at = FRIDAY.replace(hour=hour, minute=minute)
        with time_machine.travel(at, tick=False):
            clock.fire_due(at)


def test_a_reminder_for_a_london_standup_gives_kolkata_its_own_time(bot):
    run_morning(bot, rule="team")
    [carol] = reminders(bot.slack, CAROL)
    assert "It closes at 23:30 your time." in seen_by(rendered(carol.blocks), "Asia/Kolkata")
    [bob] = reminders(bot.slack, BOB)
    assert "It closes at 18:00 your time." in seen_by(rendered(bob.blocks), "Europe/London")
    assert "Reply here to answer" in rendered(bob.blocks)  # by typing, as the prompt said
    [alice] = reminders(bot.slack, ALICE)
    assert "It closes at 13:00 your time." in seen_by(rendered(alice.blocks), "America/Toronto")


def test_with_each_persons_own_time_the_cut_off_is_their_own_18_00(bot):
    run_morning(bot, rule="participant")
    # Carol's standup is 09:30 in Kolkata (04:00 UTC): too early for this clock's grace,
    # so only Bob (London) was prompted and reminded by the morning's runs.
    [bob] = reminders(bot.slack, BOB)
    assert "It closes at 18:00 your time." in seen_by(rendered(bob.blocks), "Europe/London")
    [parent] = [m for m in bot.slack.messages(CHANNEL) if m.text.startswith("Standup ·")]
    assert "Cut-off 18:00 in each person's own time" in rendered(parent.blocks)


def test_the_days_thread_gives_the_team_cut_off_in_each_readers_time(bot):
    run_morning(bot, rule="team")
    [parent] = [m for m in bot.slack.messages(CHANNEL) if m.text.startswith("Standup ·")]
    assert "Cut-off 23:30 ·" in seen_by(rendered(parent.blocks), "Asia/Kolkata")
    assert "Cut-off 13:00 ·" in seen_by(rendered(parent.blocks), "America/Toronto")
    assert "|18:00 Europe/London>" in rendered(parent.blocks)  # the fallback names its zone
