"""The standup clock under time travel, restarts, a second scheduler and Slack's refusals.

The scheduler is driven through `fire_due(now)` (what its cron triggers call) and its
outbox sweep (its other job of every minute) while time-machine moves the process clock
to the same instant.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from slack_sdk import WebClient

from bot.standup import answers as standup_answers
from bot.standup import away as time_away
from bot.standup import settings as standup_settings
from jobs.outbox import LEASE
from runtime.clock import RitualScheduler
from storage import claimers
from storage.db import Database
from tests.conftest import ALICE, BOB, CAROL, CHANNEL, TEAM
from tests.support import ledger
from tests.support.crash import Crash, DiesAfterPosting
from tests.support.standup import client_for, make_standup, prompts, reminders
from tests.support.standup_clock import AT, counts, fire, team_standup, thread_parents

PEOPLE = (ALICE, BOB, CAROL)  # Toronto, London, Kolkata


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def scheduler(db: Database, slack, client: WebClient | None = None) -> RitualScheduler:
    made = client or client_for(slack, TEAM)
    return RitualScheduler(db=db, client_factory=lambda _team: made)


# 09:30 local, written out by hand: EDT/EST, BST/GMT, IST.
LOCAL_930 = {
    date(2026, 10, 23): {ALICE: utc(2026, 10, 23, 13, 30), BOB: utc(2026, 10, 23, 8, 30)},
    date(2026, 10, 26): {ALICE: utc(2026, 10, 26, 13, 30), BOB: utc(2026, 10, 26, 9, 30)},
    date(2026, 11, 2): {ALICE: utc(2026, 11, 2, 14, 30), BOB: utc(2026, 11, 2, 9, 30)},
    date(2026, 3, 6): {ALICE: utc(2026, 3, 6, 14, 30), BOB: utc(2026, 3, 6, 9, 30)},
    date(2026, 3, 9): {ALICE: utc(2026, 3, 9, 13, 30), BOB: utc(2026, 3, 9, 9, 30)},
    date(2026, 3, 30): {ALICE: utc(2026, 3, 30, 13, 30), BOB: utc(2026, 3, 30, 8, 30)},
}


@pytest.mark.parametrize("day", sorted(LOCAL_930), ids=str)
def test_each_person_is_prompted_at_their_own_local_minute_across_dst(db, emulator, day):
    make_standup(db, emulator, team_id=TEAM, channel_id=CHANNEL, owner=ALICE)
    clock = scheduler(db, emulator)
    expected = {
        **LOCAL_930[day],
        CAROL: datetime.combine(day, time(4, 0), tzinfo=UTC),  # Kolkata: UTC+5:30, no DST
    }
    for person, at in sorted(expected.items(), key=lambda item: item[1]):
        before = counts(emulator)
        fire(clock, at - timedelta(minutes=1))
        assert counts(emulator) == before, f"{person} prompted before 09:30 local"
        fire(clock, at)
        assert counts(emulator) == {**before, person: before[person] + 1}
    [parent] = thread_parents(emulator)
    assert day.strftime("%a %d %b") in parent.text


def test_weekends_holidays_and_time_away_are_skipped(db, emulator):
    make_standup(db, emulator, team_id=TEAM, channel_id=CHANNEL, owner=ALICE, holidays="2026-12-25")
    with db.transaction() as session:
        time_away.declare_away(
            session,
            team_id=TEAM,
            user_id=BOB,
            starts_on=date(2026, 11, 30),
            ends_on=date(2026, 12, 1),
        )
    clock = scheduler(db, emulator)
    # Saturday 28 Nov, Sunday 29 Nov, Christmas (a Friday): nothing, all day long.
    for day in (date(2026, 11, 28), date(2026, 11, 29), date(2026, 12, 25)):
        for hour in range(0, 24):
            fire(clock, datetime.combine(day, time(hour, 59), tzinfo=UTC))
    assert counts(emulator) == {ALICE: 0, BOB: 0, CAROL: 0}
    assert thread_parents(emulator) == []
    # Monday 30 Nov: Bob is away, the others are prompted.
    for hour in range(0, 24):
        fire(clock, utc(2026, 11, 30, hour, 59))
    assert counts(emulator) == {ALICE: 1, BOB: 0, CAROL: 1}
    # Wednesday 2 Dec: Bob is back.
    for hour in range(0, 24):
        fire(clock, utc(2026, 12, 2, hour, 59))
    assert counts(emulator) == {ALICE: 2, BOB: 1, CAROL: 2}


def test_a_paused_standup_prompts_nobody_until_resumed(db, emulator):
    make_standup(db, emulator, team_id=TEAM, channel_id=CHANNEL, owner=ALICE, rule="team")
    with db.transaction() as session:
        standup_settings.set_enabled(session, team_id=TEAM, channel_id=CHANNEL, enabled=False)
    clock = scheduler(db, emulator)
    fire(clock, utc(2026, 11, 27, 9, 30))
    assert counts(emulator) == {ALICE: 0, BOB: 0, CAROL: 0}
    with db.transaction() as session:
        standup_settings.set_enabled(session, team_id=TEAM, channel_id=CHANNEL, enabled=True)
    fire(clock, utc(2026, 11, 30, 9, 30))
    assert counts(emulator) == {ALICE: 1, BOB: 1, CAROL: 1}


# Restarts ----------------------------------------------------------------------------


def test_an_occurrence_missed_while_down_is_delivered_once_late(db, emulator):
    team_standup(db, emulator)
    scheduler(db, emulator)  # the first process stops before 09:30 and never fires
    restarted = scheduler(db, emulator)
    fire(restarted, AT + timedelta(minutes=50))
    fire(restarted, AT + timedelta(minutes=51))
    fire(scheduler(db, emulator), AT + timedelta(minutes=52))
    assert counts(emulator) == {ALICE: 1, BOB: 1, CAROL: 1}
    assert len(thread_parents(emulator)) == 1


def test_an_occurrence_missed_beyond_the_grace_window_is_not_delivered(db, emulator):
    team_standup(db, emulator)
    fire(scheduler(db, emulator), AT + timedelta(hours=2, minutes=1))
    assert counts(emulator) == {ALICE: 0, BOB: 0, CAROL: 0}


@pytest.mark.parametrize("fatal", [1, 2, 3, 4])
def test_a_process_that_dies_during_the_fan_out_resumes_without_posting_twice(db, emulator, fatal):
    """The process dies right after Slack took its `fatal`-th message, with the rest of the
    batch claimed: another clock, once the dead one's lease has run out, looks for each in
    Slack before sending it, so everyone gets one prompt and the channel one thread."""
    team_standup(db, emulator)
    plain = client_for(emulator, TEAM)
    dying = DiesAfterPosting(base_url=plain.base_url, token=plain.token, fatal=fatal)
    with pytest.raises(Crash):
        fire(scheduler(db, emulator, dying), AT)
    assert dying.landed()
    fire(scheduler(db, emulator), AT + timedelta(seconds=10))  # its lease not yet run out
    assert sum(counts(emulator).values()) + len(thread_parents(emulator)) == fatal
    fire(scheduler(db, emulator), AT + claimers.LEASE + timedelta(seconds=1))
    assert counts(emulator) == {ALICE: 1, BOB: 1, CAROL: 1}
    assert len(thread_parents(emulator)) == 1


def test_a_restart_after_the_occurrence_posts_nothing_again(db, emulator):
    team_standup(db, emulator)
    fire(scheduler(db, emulator), AT)
    posts = len(emulator.calls("chat.postMessage"))
    fire(scheduler(db, emulator), AT + timedelta(minutes=5))
    assert len(emulator.calls("chat.postMessage")) == posts
    assert counts(emulator) == {ALICE: 1, BOB: 1, CAROL: 1}


def test_two_schedulers_on_one_database_post_each_prompt_once(database_url, db, emulator):
    extra = [f"U0P{n:03d}" for n in range(30)]
    for person in extra:
        emulator.add_user(team_id=TEAM, user_id=person, name=person.lower(), tz="Europe/Paris")
    emulator.add_channel(
        team_id=TEAM, channel_id="C0BIG", name="big", members=[ALICE, BOB, CAROL, *extra]
    )
    make_standup(db, emulator, team_id=TEAM, channel_id="C0BIG", owner=ALICE)
    engines = [Database.from_url(database_url) for _ in range(2)]
    clocks = [scheduler(engine, emulator) for engine in engines]
    start = threading.Barrier(2)
    # Every zone's 09:30 on Friday 27 Nov, fired by both at once.
    instants = [utc(2026, 11, 27, 4, 0), utc(2026, 11, 27, 8, 30), utc(2026, 11, 27, 9, 30)]
    instants.append(utc(2026, 11, 27, 14, 30))

    def run(clock: RitualScheduler) -> None:
        start.wait()
        for at in instants:
            clock.fire_due(at)

    with time_machine.travel(instants[-1], tick=True):
        threads = [threading.Thread(target=run, args=(clock,)) for clock in clocks]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    for engine in engines:
        engine.dispose()
    for person in (ALICE, BOB, CAROL, *extra):
        assert len(prompts(emulator, person)) == 1, person
    parents = [m for m in emulator.messages("C0BIG") if m.text.startswith("Standup ·")]
    assert len(parents) == 1


# Slack refusing -------------------------------------------------------------------


def test_rate_limits_and_server_errors_still_deliver_every_prompt_once(db, emulator):
    team_standup(db, emulator)
    emulator.set_rate_limits(enabled=True, scale=30)
    emulator.inject("chat.postMessage", status=429, retry_after=1, times=4)
    emulator.inject("chat.postMessage", status=500, times=3)
    clock = scheduler(db, emulator)
    fire(clock, AT)
    fire(clock, AT + timedelta(minutes=1))
    assert counts(emulator) == {ALICE: 1, BOB: 1, CAROL: 1}
    assert len(thread_parents(emulator)) == 1
    assert any(c.status == 429 for c in emulator.calls("chat.postMessage"))
    assert any(c.status == 500 for c in emulator.calls("chat.postMessage"))


def test_a_deactivated_account_is_reported_to_the_owner_and_the_rest_still_prompted(db, emulator):
    team_standup(db, emulator)
    emulator.inject("chat.postMessage", times=1)  # the day's thread goes through
    emulator.inject("chat.postMessage", error="account_inactive", times=1)
    fire(scheduler(db, emulator), AT)
    delivered = counts(emulator)
    assert sorted(delivered.values()) == [0, 1, 1]
    [missed] = [person for person, n in delivered.items() if n == 0]
    report = [m for m in emulator.messages(ALICE) if "couldn't post the standup prompt" in m.text]
    to = "to you" if missed == ALICE else f"to <@{missed}>"  # Alice owns the standup
    assert len(report) == 1 and to in report[0].text
    fire(scheduler(db, emulator), AT + timedelta(minutes=5))
    assert counts(emulator) == delivered


def test_the_owner_hears_when_the_channel_refuses_the_thread(db, emulator):
    make_standup(
        db, emulator, team_id=TEAM, channel_id=CHANNEL, owner=ALICE, rule="team", zone="UTC"
    )
    emulator.inject("chat.postMessage", error="not_in_channel", times=1)
    fire(scheduler(db, emulator), AT)
    told = [m for m in emulator.messages(ALICE) if "couldn't post the standup thread" in m.text]
    assert len(told) == 1 and "invite" in told[0].text
    assert counts(emulator) == {ALICE: 1, BOB: 1, CAROL: 1}


def test_one_reminder_goes_to_those_who_have_not_answered(db, emulator):
    record = make_standup(
        db, emulator, team_id=TEAM, channel_id=CHANNEL, owner=ALICE, rule="team", zone="UTC"
    )
    clock = scheduler(db, emulator)
    fire(clock, AT)
    with db.transaction() as session:
        standup_answers.save_answer(
            session,
            team_id=TEAM,
            ritual_id=record.id,
            day=AT.date(),
            user_id=BOB,
            answers={"What moved since last time?": "eval harness"},
            now=AT + timedelta(minutes=10),
        )
    for minutes in (59, 60, 61, 120):
        fire(clock, AT + timedelta(minutes=minutes))
    assert {p: len(reminders(emulator, p)) for p in PEOPLE} == {ALICE: 1, BOB: 0, CAROL: 1}


@pytest.mark.parametrize(
    ("back_after", "reminded"),
    [
        (timedelta(minutes=30), 1),  # prompted at 10:00: half the hour's delay before 10:30
        (timedelta(minutes=50), 0),  # prompted at 10:20: ten minutes before the reminder
        (timedelta(minutes=75), 0),  # back past the reminder: both would go at once
    ],
    ids=["prompted-half-the-delay-before", "prompted-just-before", "both-caught-up-together"],
)
def test_a_prompt_caught_up_late_is_reminded_only_half_the_delay_later(
    db, emulator, back_after, reminded
):
    """The clock down over the 09:30 prompt (reminder an hour later): the prompt is caught
    up when it comes back; the reminder goes only to prompts queued half the delay before."""
    make_standup(
        db, emulator, team_id=TEAM, channel_id=CHANNEL, owner=ALICE, rule="team", zone="UTC"
    )
    clock = scheduler(db, emulator)
    fire(clock, AT + back_after)
    assert counts(emulator) == {ALICE: 1, BOB: 1, CAROL: 1}
    for minutes in (60, 61, 90):
        fire(clock, AT + max(back_after, timedelta(minutes=minutes)))
    assert {p: len(reminders(emulator, p)) for p in PEOPLE} == dict.fromkeys(PEOPLE, reminded)


def test_a_summary_slack_failed_to_take_is_posted_on_a_later_pass(db, emulator):
    make_standup(
        db, emulator, team_id=TEAM, channel_id=CHANNEL, owner=ALICE, rule="team", zone="UTC"
    )
    clock = scheduler(db, emulator)
    fire(clock, AT)
    cutoff = utc(2026, 11, 27, 17, 0)
    emulator.inject("chat.postMessage", status=500, times=3)
    fire(clock, cutoff)
    summaries = [m for m in emulator.messages(CHANNEL) if m.text.startswith("Standup summary")]
    assert summaries == []
    fire(clock, cutoff + timedelta(minutes=1))
    fire(clock, cutoff + timedelta(minutes=2))
    summaries = [m for m in emulator.messages(CHANNEL) if m.text.startswith("Standup summary")]
    assert len(summaries) == 1 and "No answer (3)" in str(summaries[0].blocks)


def test_a_prompt_slack_keeps_failing_is_retried_with_backoff_then_reported_after_a_day(
    db, emulator
):
    make_standup(
        db,
        emulator,
        team_id=TEAM,
        channel_id=CHANNEL,
        owner=ALICE,
        rule="team",
        participants=(BOB,),
    )
    emulator.inject("chat.postMessage", times=1)  # the day's thread goes through
    emulator.inject("chat.postMessage", error="internal_error", times=1000)
    clock = scheduler(db, emulator)

    def attempts() -> int:
        return len([c for c in emulator.calls("chat.postMessage") if c.args.get("channel") == BOB])

    for minute in range(7):
        fire(clock, AT + timedelta(minutes=minute))
    assert attempts() == 3  # at 0, then 15 s and 1 min later: backoff, not every minute
    assert not [m for m in emulator.messages(ALICE) if "couldn't" in m.text]
    for hour in range(1, 24):
        fire(clock, AT + timedelta(hours=hour))
    emulator.faults.clear()  # the notice to the owner must get through: only the prompt fails
    emulator.inject("chat.postMessage", error="internal_error", times=1)
    fire(clock, AT + timedelta(days=1, minutes=20))  # the first try after a day gives up
    # Slack just failed in this workspace: the round leaves it, and the notice goes next.
    fire(clock, AT + timedelta(days=1, minutes=21))
    told = [
        m.text for m in emulator.messages(ALICE) if "couldn't post the standup prompt" in m.text
    ]
    assert len(told) == 1 and f"<@{BOB}>" in told[0]
    tried = attempts()
    fire(clock, AT + timedelta(days=1, hours=1))
    assert attempts() == tried and prompts(emulator, BOB) == []


def test_an_answer_lost_on_its_way_back_is_found_in_slack_not_posted_twice(db, emulator):
    """Slack posts each message, then the connection drops before its answer: whether it
    was posted is unknown until the lease runs out; then the sweep looks for each stamped
    message in the conversation, finds it, and sends nothing again (exactly once)."""
    team_standup(db, emulator)
    emulator.inject("chat.postMessage", lose_answer=True, times=10)
    fire(scheduler(db, emulator), AT)
    fire(scheduler(db, emulator), AT + timedelta(minutes=1))
    fire(scheduler(db, emulator), AT + LEASE + timedelta(minutes=1))
    assert counts(emulator) == {ALICE: 1, BOB: 1, CAROL: 1}
    assert len(thread_parents(emulator)) == 1
    assert len(emulator.calls("chat.postMessage")) == 4
    ledger.record(
        area="Slack API",
        fault="chat.postMessage acts, then the connection drops before the answer (10 in a row)",
        tries=1,
        outcome="each prompt and the day's thread posted once: found by their stamp after the "
        "lease, none sent again",
    )
