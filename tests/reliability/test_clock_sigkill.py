"""`ritualbot clock` killed with SIGKILL in the middle of a standup fan-out, then restarted.

What the code guarantees (bot/jobs/standup.py): each DM is a run row, claimed before any is
sent and moved to "sending" by compare-and-set just before its chat.postMessage. A restart
sends every row still "claimed" and never one left "sending": a DM taken at the kill is
delivered only if its request had reached Slack (at most once; else that prompt is lost),
never twice.
"""

from __future__ import annotations

import re
import signal
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from bot import digest_schedule
from storage.models import RitualRun
from tests.conftest import ALICE, CHANNEL, TEAM
from tests.reliability import ledger
from tests.reliability.test_clock_process import clock_process, wait_started
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


def test_a_clock_killed_while_the_digest_is_being_posted_posts_it_once_after_restart(
    db, emulator, database_url
):
    """The digest's post is claimed under its own key, and marked "sending" in the same commit
    that ends its composition, just before the first message. A kill before that leaves it
    claimed and the restart posts it; a kill after it never posts it twice (at most once)."""
    schedule_missed_digest(db)
    emulator.inject("chat.postMessage", delay=3.0, times=1)
    first = clock_process(emulator, database_url)
    wait_started(first)
    emulator.wait_for(lambda: any(k.endswith("/digest") for k in digest_runs(db)), timeout=30)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert not [s for k, s in digest_runs(db).items() if s == "done"]  # killed mid-ritual
    [at_kill] = [s for k, s in digest_runs(db).items() if k.endswith("/digest")]

    second = clock_process(emulator, database_url)
    try:
        wait_started(second)
        emulator.wait_for(
            lambda: (
                digest_runs(db)
                and all(s == "done" for k, s in digest_runs(db).items() if "/digest" not in k)
            ),
            timeout=30,
        )
        if at_kill == "claimed":  # not yet sending: the restart must post it
            emulator.wait_for(lambda: emulator.messages(CHANNEL), timeout=10)
    finally:
        second.send_signal(signal.SIGTERM)
        output = second.communicate(timeout=30)[0].decode()
    assert second.returncode == 0, output

    # Taken and killed before its request reached Slack, it is lost (at most once); never two.
    posted = len(emulator.messages(CHANNEL))
    assert posted <= 1
    if at_kill == "claimed":
        assert posted == 1
    ledger.record(
        area="crash",
        fault="SIGKILL of `ritualbot clock` while the weekly digest was on its way to Slack; "
        "clock restarted",
        tries=1,
        outcome="one digest in the channel, whether the kill came before the post was marked "
        "sending (restart posts it) or after (Slack had it; restart posts nothing)",
    )


def pieces(db) -> dict[str, str]:
    """Each claimed message (1, 2…) and chart of the digest, and its state."""
    return {
        key.rsplit(digest_schedule.PIECE, 1)[1]: state
        for key, state in digest_runs(db).items()
        if digest_schedule.PIECE in key
    }


def test_a_clock_killed_between_two_messages_of_a_long_digest_finishes_it_after_restart(
    db, emulator, database_url
):
    """A week too long for one message is posted as several, each claimed on its own: the
    restart posts the messages (and the chart) still waiting, never one already taken."""
    with db.transaction() as session:
        oversized_week(session, experiments=1500)
    schedule_missed_digest(db)
    # Slack answers the first two messages slowly: the kill lands once the second has reached
    # Slack (its delay taken), before the answer.
    emulator.inject("chat.postMessage", delay=2.0, times=2)
    first = clock_process(emulator, database_url)
    wait_started(first)
    emulator.wait_for(
        lambda: pieces(db).get("2") == "sending" and not emulator.faults.remaining(), timeout=60
    )
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    at_kill = pieces(db)
    waiting = {p for p, s in at_kill.items() if s == "claimed"}
    assert at_kill["1"] == "posted" and waiting >= {"3", digest_schedule.CHART}

    emulator.faults.clear()
    second = clock_process(emulator, database_url)
    try:
        wait_started(second)
        emulator.wait_for(lambda: all(pieces(db)[p] == "posted" for p in waiting), timeout=60)
    finally:
        second.send_signal(signal.SIGTERM)
        output = second.communicate(timeout=30)[0].decode()
    assert second.returncode == 0, output

    def numbered() -> list[int]:
        parts = [m for m in emulator.messages(CHANNEL) if m.text.startswith("Weekly digest")]
        return sorted(int(re.search(r"\((\d+) of \d+\)", m.text).group(1)) for m in parts)

    total = len(at_kill) - 1  # every piece but the chart is a message
    # The one on its way at the kill gets there (Slack had it): every part once, none twice.
    emulator.wait_for(lambda: len(numbered()) >= total, timeout=10)
    assert numbered() == list(range(1, total + 1))
    assert len(emulator.calls("files.completeUploadExternal")) == 1
    assert pieces(db)["2"] == "sending"  # taken before the kill, never sent again
    ledger.record(
        area="crash",
        fault=f"SIGKILL of `ritualbot clock` between two of the {total} messages of a long "
        "weekly digest; clock restarted",
        tries=1,
        outcome=f"the restart posted the {len(waiting) - 1} messages and the chart still "
        f"waiting; the {total} parts are in the channel once each",
    )
