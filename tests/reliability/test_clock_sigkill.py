"""`ritualbot clock` killed with SIGKILL in the middle of sending, then another clock.

What the code guarantees (jobs/outbox.py): every message is in the outbox before it is
sent, claimed (committed) by one sender, stamped with its outbox id. A claim the kill left
open is resolved by the next clock once its lease runs out: it looks for the stamped
message in the conversation and marks it sent if Slack has it, else sends it. Every
message arrives exactly once.
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
from storage.outbox import OutboxMessage
from storage.rituals import RitualRun
from tests.conftest import ALICE, CHANNEL, TEAM
from tests.reliability.test_clock_process import clock_process, wait_started
from tests.support import ledger
from tests.support.digest_week import oversized_week
from tests.support.standup import half_an_hour_ago, make_standup, prompts

PEOPLE = tuple(f"U0P{n:02d}" for n in range(12))


def prompt_states(db) -> dict[str, str]:
    """Each person's prompt's outbox state, by user id."""
    with db.reading() as session:
        rows = session.execute(
            select(OutboxMessage.channel, OutboxMessage.state).where(
                OutboxMessage.key.contains(":prompt:")
            )
        ).all()
    return {channel: str(state) for channel, state in rows}


def test_a_clock_killed_during_the_fan_out_prompts_everyone_once_after_the_lease(
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
    # Slack takes each of the first messages slowly, so the kill lands while one is in
    # flight and the rest of the batch is claimed but not sent.
    emulator.inject("chat.postMessage", delay=1.0, times=len(PEOPLE) + 1)
    first = clock_process(emulator, database_url)
    wait_started(first)
    emulator.wait_for(lambda: len(prompts_sent(emulator)) >= 2, timeout=60)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    at_kill = prompt_states(db)
    open_claims = {u for u, state in at_kill.items() if state == "claimed"}
    assert open_claims and len(at_kill) == len(PEOPLE)

    emulator.faults.clear()
    a_clock_after_the_lease(emulator, db)

    assert {u: len(prompts(emulator, u)) for u in PEOPLE} == dict.fromkeys(PEOPLE, 1)
    assert set(prompt_states(db).values()) == {"sent"}
    parents = [m for m in emulator.messages(CHANNEL) if m.text.startswith("Standup ·")]
    assert len(parents) == 1
    ledger.record(
        area="crash",
        fault=f"SIGKILL of `ritualbot clock` with {len(open_claims)} standup prompts claimed "
        "and not known to be sent; another clock after the claims' lease",
        tries=1,
        outcome="every prompt once: those Slack had were found by their stamp, the rest sent",
    )


def prompts_sent(emulator) -> list:
    return [c for c in emulator.calls("chat.postMessage") if c.args.get("channel") in PEOPLE]


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
