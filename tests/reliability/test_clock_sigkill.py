"""`ritualbot clock` killed with SIGKILL in the middle of a standup fan-out, then restarted.

What the code guarantees (jobs/standup.py): each DM is a run row, claimed before any is
sent and moved to "sending" by compare-and-set just before its chat.postMessage. A restart
sends every row still "claimed" and never one left "sending": a DM taken at the kill is
delivered only if its request had reached Slack (at most once; else that prompt is lost),
never twice.
"""

from __future__ import annotations

import re
import signal
from datetime import UTC, datetime, time, timedelta

import time_machine
from slack_sdk import WebClient
from sqlalchemy import select

from bot.digest import ritual as digest_schedule
from jobs.outbox import LEASE, Sender
from storage.models import RitualRun
from storage.outbox import OutboxMessage
from tests.conftest import ALICE, CHANNEL, TEAM
from tests.reliability.test_clock_process import clock_process, wait_started
from tests.support import ledger
from tests.support.digest_week import oversized_week
from tests.support.standup import half_an_hour_ago, make_standup, prompts

PEOPLE = tuple(f"U0P{n:02d}" for n in range(12))  # more than the 8 DMs sent at once


def dm_states(db) -> dict[str, str]:
    with db.transaction() as session:
        rows = session.execute(select(RitualRun.occurrence, RitualRun.state)).all()
    return {occ.rsplit("/", 1)[1]: state for occ, state in rows if occ.rsplit("/", 1)[1] in PEOPLE}


def test_a_clock_killed_during_the_fan_out_prompts_everyone_at_most_once_after_restart(
    db, emulator, database_url
):
    for user in PEOPLE:
        emulator.add_user(team_id=TEAM, user_id=user, name=user.lower(), tz="UTC")
    missed, zone = half_an_hour_ago(datetime.now(UTC))
    make_standup(
        db,
        emulator,
        team_id=TEAM,
        channel_id=CHANNEL,
        owner=ALICE,
        rule="team",
        zone=zone,
        at=missed,
        cutoff=time(23, 59),
        reminder=None,
        weekdays=(1, 2, 3, 4, 5, 6, 7),
        participants=PEOPLE,
    )
    # Slack answers each of the first DMs slowly, so the kill lands while they are in flight.
    emulator.inject("chat.postMessage", delay=2.0, times=len(PEOPLE) + 1)
    first = clock_process(emulator, database_url)
    wait_started(first)
    emulator.wait_for(lambda: "sending" in dm_states(db).values(), timeout=30)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    at_kill = dm_states(db)
    in_flight = {u for u, s in at_kill.items() if s == "sending"}
    waiting = {u for u, s in at_kill.items() if s == "claimed"}
    assert in_flight and len(at_kill) == len(PEOPLE)

    emulator.faults.clear()
    second = clock_process(emulator, database_url)
    try:
        wait_started(second)
        emulator.wait_for(
            lambda: (
                all(dm_states(db)[u] == "sent" for u in waiting)
                and all(prompts(emulator, u) for u in waiting)
            ),
            timeout=30,
        )
    finally:
        second.send_signal(signal.SIGTERM)
        output = second.communicate(timeout=30)[0].decode()
    assert second.returncode == 0, output

    got = {u: len(prompts(emulator, u)) for u in PEOPLE}
    assert {u: got[u] for u in waiting} == dict.fromkeys(waiting, 1)
    assert all(got[u] <= 1 for u in in_flight)  # sent if Slack had it at the kill; never twice
    after = dm_states(db)
    assert {u for u, s in after.items() if s == "sending"} == in_flight  # never sent again
    parents = [m for m in emulator.messages(CHANNEL) if m.text.startswith("Standup ·")]
    assert len(parents) == 1
    ledger.record(
        area="crash",
        fault=f"SIGKILL of `ritualbot clock` with {len(in_flight)} standup DMs in flight and "
        f"{len(waiting)} not yet sent; clock restarted",
        tries=1,
        outcome="the unsent were sent once by the restarted clock; those in flight were not sent "
        "again (at most once: one whose request had not reached Slack is lost, none doubled)",
    )


def digest_runs(db) -> dict[str, str]:
    with db.transaction() as session:
        rows = session.execute(select(RitualRun.occurrence, RitualRun.state)).all()
    return dict(rows)


def schedule_missed_digest(db) -> None:
    """The channel's weekly digest, due half an hour ago: the clock posts it when it starts."""
    due = (datetime.now(UTC) - timedelta(minutes=30)).replace(second=0, microsecond=0)
    with db.transaction() as session:
        digest_schedule.schedule(
            session,
            team_id=TEAM,
            channel_id=CHANNEL,
            user_id=ALICE,
            weekday=due.isoweekday(),
            local_time=due.time(),
            timezone="UTC",
        )


def outbox_states(db) -> list[str]:
    with db.reading() as session:
        return list(session.scalars(select(OutboxMessage.state).order_by(OutboxMessage.id)))


def a_clock_after_the_lease(emulator, db) -> None:
    """Another clock's sweep once the killed clock's claims have run out: it looks for each
    interrupted message in the channel before sending it, then sends what still waits."""
    client = WebClient(token=emulator.workspace(TEAM).bot_token, base_url=emulator.api_url)
    later = datetime.now(UTC) + LEASE + timedelta(seconds=1)
    with time_machine.travel(later, tick=True):
        Sender(db=db, client_for=lambda _team: client).sweep()


def test_a_clock_killed_while_the_digest_is_being_posted_posts_it_once_after_restart(
    db, emulator, database_url
):
    """The digest is queued in the commit that claims its run; the kill lands while its
    message is on its way to Slack, so its claim is left open. The next clock looks for the
    stamped message before sending: the channel gets the digest exactly once."""
    schedule_missed_digest(db)
    emulator.inject("chat.postMessage", delay=3.0, times=1)
    first = clock_process(emulator, database_url)
    wait_started(first)
    emulator.wait_for(lambda: "claimed" in outbox_states(db), timeout=30)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)

    a_clock_after_the_lease(emulator, db)

    assert len(emulator.messages(CHANNEL)) == 1
    assert outbox_states(db)[0] == "sent"
    ledger.record(
        area="crash",
        fault="SIGKILL of `ritualbot clock` while the weekly digest was on its way to Slack; "
        "another clock after the claim's lease",
        tries=1,
        outcome="one digest in the channel: the interrupted send was looked for by its stamp "
        "before being sent again",
    )


def test_a_clock_killed_between_two_messages_of_a_long_digest_finishes_it_after_restart(
    db, emulator, database_url
):
    """A week too long for one message is queued as several, each waiting for the one before.
    The kill lands with the second on its way; the next clock finds or sends it, then sends
    the rest and the chart: every part once, in order."""
    with db.transaction() as session:
        oversized_week(session, experiments=1500)
    schedule_missed_digest(db)
    emulator.inject("chat.postMessage", delay=2.0, times=2)
    first = clock_process(emulator, database_url)
    wait_started(first)
    emulator.wait_for(
        lambda: outbox_states(db)[:2] == ["sent", "claimed"] and not emulator.faults.remaining(),
        timeout=60,
    )
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    at_kill = outbox_states(db)
    total = len(at_kill) - 1  # every message but the chart

    a_clock_after_the_lease(emulator, db)

    parts = [m for m in emulator.messages(CHANNEL) if m.text.startswith("Weekly digest")]
    numbered = [int(re.search(r"\((\d+) of \d+\)", m.text).group(1)) for m in parts]
    assert numbered == list(range(1, total + 1))
    assert len(emulator.calls("files.completeUploadExternal")) == 1
    assert set(outbox_states(db)) == {"sent"}
    ledger.record(
        area="crash",
        fault=f"SIGKILL of `ritualbot clock` between two of the {total} messages of a long "
        "weekly digest; another clock after the claim's lease",
        tries=1,
        outcome=f"the {total} parts are in the channel once each, in order, and the chart once",
    )
