"""The APScheduler side of the clock: cron triggers per zone, catch-up on start, next_due."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bot.standup import service as standups
from bot.standup import settings as standup_settings
from runtime.clock import RitualScheduler
from tests.conftest import ALICE, BOB, CAROL, CHANNEL, TEAM
from tests.support.standup import client_for, make_standup, prompts


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def clock_for(db, slack, now=None) -> RitualScheduler:
    client = client_for(slack, TEAM)
    return RitualScheduler(db=db, client_factory=lambda _team: client, now=now)


def test_each_zone_gets_a_cron_trigger_at_its_local_minute_on_both_sides_of_dst(db, emulator):
    record = make_standup(
        db, emulator, team_id=TEAM, channel_id=CHANNEL, owner=ALICE, reminder=None
    )
    clock = clock_for(db, emulator)
    clock.reconcile()
    prompt = {
        zone: f"ritual:{record.id}:prompt:{zone}"
        for zone in ("America/Toronto", "Europe/London", "Asia/Kolkata")
    }
    # Friday 30 Oct 2026: London already on GMT, Toronto still on EDT.
    before = clock.next_wakeups(utc(2026, 10, 30, 0, 0))
    assert before[prompt["Asia/Kolkata"]] == utc(2026, 10, 30, 4, 0)
    assert before[prompt["Europe/London"]] == utc(2026, 10, 30, 9, 30)
    assert before[prompt["America/Toronto"]] == utc(2026, 10, 30, 13, 30)
    # Friday's 09:30 passed everywhere: next is Monday 2 Nov, Toronto now on EST.
    after = clock.next_wakeups(utc(2026, 10, 30, 23, 0))
    assert after[prompt["America/Toronto"]] == utc(2026, 11, 2, 14, 30)
    assert after[prompt["Europe/London"]] == utc(2026, 11, 2, 9, 30)
    assert after[f"ritual:{record.id}:close:America/Toronto"] == utc(2026, 11, 2, 22, 0)


def test_reconcile_follows_the_rituals_table(db, emulator):
    clock = clock_for(db, emulator)
    clock.reconcile()
    assert clock.next_wakeups(utc(2026, 11, 27)) == {}
    make_standup(db, emulator, team_id=TEAM, channel_id=CHANNEL, owner=ALICE, rule="team")
    clock.reconcile()
    assert len(clock.next_wakeups(utc(2026, 11, 27))) == 3  # prompt, reminder, cut-off
    with db.transaction() as session:
        standup_settings.set_enabled(session, team_id=TEAM, channel_id=CHANNEL, enabled=False)
    clock.reconcile()
    assert clock.next_wakeups(utc(2026, 11, 27)) == {}


def test_next_due_is_the_earliest_step_of_any_ritual(db, emulator):
    make_standup(db, emulator, team_id=TEAM, channel_id=CHANNEL, owner=ALICE)
    clock = clock_for(db, emulator)
    # Saturday: the next is Monday 30 Nov, 09:30 in Kolkata.
    assert clock.next_due(utc(2026, 11, 28, 12, 0)) == utc(2026, 11, 30, 4, 0)


def test_starting_delivers_what_was_missed_while_down(db, emulator):
    make_standup(
        db,
        emulator,
        team_id=TEAM,
        channel_id=CHANNEL,
        owner=ALICE,
        rule="team",
        at=time(9, 30),
    )
    missed = utc(2026, 11, 27, 9, 30) + timedelta(minutes=40)
    clock = clock_for(db, emulator, now=lambda: missed)
    clock.start()
    try:
        emulator.wait_for(lambda: all(prompts(emulator, p) for p in (ALICE, BOB, CAROL)))
    finally:
        clock.shutdown()
    assert [len(prompts(emulator, p)) for p in (ALICE, BOB, CAROL)] == [1, 1, 1]


def test_rosters_are_read_again_after_six_hours_so_newcomers_get_prompted(db, emulator):
    record = make_standup(db, emulator, team_id=TEAM, channel_id=CHANNEL, owner=ALICE)
    emulator.add_user(team_id=TEAM, user_id="U0DAVE", name="dave", tz="Australia/Sydney")
    emulator.add_channel(  # the channel again, now with Dave in it
        team_id=TEAM, channel_id=CHANNEL, name="ml-team", members=[ALICE, BOB, CAROL, "U0DAVE"]
    )
    later = datetime.now(UTC) + timedelta(hours=7)
    clock = clock_for(db, emulator, now=lambda: later)
    clock.refresh_rosters()
    with db.transaction() as session:
        roster = standups.get(session, team_id=TEAM, ritual_id=record.id).roster
    assert roster["U0DAVE"] == "Australia/Sydney" and len(roster) == 4
