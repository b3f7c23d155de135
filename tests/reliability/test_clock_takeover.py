"""Several clock processes: what one leaves claimed when it dies, another takes over as soon
as its lease runs out (storage.claimers), and nothing is sent twice; a live one's claims and
runs are left to it.

Each clock has its own lease, renewed here by hand (its renewing thread is not started),
so the test says when a clock was last seen alive.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
import time_machine
from slack_sdk import WebClient
from sqlalchemy import select

from bot import rituals
from bot.standup import service as standups
from jobs.outbox import LEASE as CLAIM_LEASE
from runtime.clock import RitualScheduler
from storage import claimers
from storage.db import Database
from storage.outbox import OutboxMessage, OutboxState
from storage.rituals import RitualRun
from tests.conftest import ALICE, BOB, CAROL, TEAM
from tests.support.crash import Crash, DiesAfterPosting, DiesReadingRoster
from tests.support.standup import client_for
from tests.support.standup_clock import AT, counts, fire, team_standup, thread_parents


def clock(db: Database, emulator, client: WebClient | None = None) -> RitualScheduler:
    made = client or client_for(emulator, TEAM)
    return RitualScheduler(db=db, client_factory=lambda _team: made)


def alive(scheduler: RitualScheduler, at: datetime) -> None:
    """The clock renews its lease at `at` (as its thread does every ten seconds)."""
    with time_machine.travel(at, tick=False):
        assert scheduler.lease.held(scheduler.lease.term)


def posted(emulator) -> int:
    return sum(counts(emulator).values()) + len(thread_parents(emulator))


def claimed(db: Database) -> int:
    with db.reading() as session:
        states = session.scalars(select(OutboxMessage.state)).all()
    return sum(state == OutboxState.CLAIMED for state in states)


def dies_after(db: Database, emulator, fatal: int) -> RitualScheduler:
    """A clock that dies right after Slack took its `fatal`-th message of the standup."""
    plain = client_for(emulator, TEAM)
    dying = DiesAfterPosting(base_url=plain.base_url, token=plain.token, fatal=fatal)
    scheduler = clock(db, emulator, dying)
    with pytest.raises(Crash):
        fire(scheduler, AT)
    assert dying.landed()
    return scheduler


@pytest.mark.parametrize("fatal", [1, 3])
def test_a_dead_clocks_claims_are_taken_over_when_its_lease_ends_and_sent_once(db, emulator, fatal):
    team_standup(db, emulator)
    dies_after(db, emulator, fatal)
    assert claimed(db) > 0
    other = clock(db, emulator)
    fire(other, AT + claimers.LEASE - timedelta(seconds=1))
    assert posted(emulator) == fatal  # it might still be sending them
    fire(other, AT + claimers.LEASE + timedelta(seconds=1))  # long before a claim's own lease
    assert AT + claimers.LEASE < AT + CLAIM_LEASE
    assert counts(emulator) == {ALICE: 1, BOB: 1, CAROL: 1}
    assert len(thread_parents(emulator)) == 1
    # What Slack had already was found in the channel, not sent again.
    assert len(emulator.calls("chat.postMessage")) == 4
    assert claimed(db) == 0


def test_a_live_clocks_claims_are_not_taken_over(db, emulator):
    team_standup(db, emulator)
    busy = dies_after(db, emulator, 1)  # stands for a clock still busy sending the rest
    other = clock(db, emulator)
    alive(busy, AT + timedelta(seconds=25))
    fire(other, AT + timedelta(seconds=50))  # 50 s after the claim, 25 s after it was seen
    assert posted(emulator) == 1
    assert claimed(db) > 0
    fire(other, AT + timedelta(seconds=56))  # not seen for 31 s: dead
    assert counts(emulator) == {ALICE: 1, BOB: 1, CAROL: 1}
    assert len(thread_parents(emulator)) == 1


def test_an_interrupted_ritual_run_is_completed_once_by_another_clock(db, emulator):
    ritual_id = dies_in_its_run(db, emulator)
    first, second = clock(db, emulator), clock(db, emulator)
    assert fire(first, AT + timedelta(seconds=20)) == 0  # its clock may still be running it
    assert posted(emulator) == 0
    assert fire(first, AT + claimers.LEASE + timedelta(seconds=1)) == 1
    assert fire(second, AT + timedelta(minutes=2)) == 0
    assert fire(first, AT + timedelta(minutes=3)) == 0
    assert counts(emulator) == {ALICE: 1, BOB: 1, CAROL: 1}
    assert len(thread_parents(emulator)) == 1
    with db.reading() as session:
        runs = session.scalars(select(RitualRun).where(RitualRun.ritual_id == ritual_id)).all()
    assert [run.state for run in runs] == ["done"]


class StallsAfterFirstPost(WebClient):
    """Slack takes its first post, then the process stalls (`stall` runs) before it goes on."""

    def __init__(self, *args, stall, **kwargs):
        super().__init__(*args, **kwargs)
        self.stall, self.stalled = stall, False

    def chat_postMessage(self, **kwargs):
        answer = super().chat_postMessage(**kwargs)
        if not self.stalled:
            self.stalled = True
            self.stall()
        return answer


def fire_with_a_stall(db: Database, emulator, *, meanwhile: Callable[[], None] | None = None):
    """The team's standup fired at AT by a clock that stalls 40 s after Slack took its
    first post, `meanwhile` running while it is stalled."""
    team_standup(db, emulator)
    with time_machine.travel(AT, tick=False) as traveller:

        def stall() -> None:
            traveller.move_to(AT + timedelta(seconds=40))
            if meanwhile is not None:
                meanwhile()

        plain = client_for(emulator, TEAM)
        stalling = StallsAfterFirstPost(base_url=plain.base_url, token=plain.token, stall=stall)
        clock(db, emulator, stalling).fire_due(AT)


def test_a_clock_that_stalled_past_its_lease_sends_nothing_more_of_its_claim(db, emulator):
    """It stalls 40 s after its first post; another clock takes its claim over meanwhile
    (finds that post, sends the rest). Back, it sees its lease ran out and stops."""
    other = clock(db, emulator)
    fire_with_a_stall(db, emulator, meanwhile=other.sender.sweep)
    assert counts(emulator) == {ALICE: 1, BOB: 1, CAROL: 1}
    assert len(thread_parents(emulator)) == 1
    assert len(emulator.calls("chat.postMessage")) == 4
    assert claimed(db) == 0


def test_a_clock_that_stalled_past_its_lease_with_no_one_to_take_over_goes_on_at_once(db, emulator):
    """It stalls 40 s after its first post and no other clock runs. Back, it claims the
    rest again and sends them then: they do not wait out a backoff meant for Slack."""
    fire_with_a_stall(db, emulator)
    assert counts(emulator) == {ALICE: 1, BOB: 1, CAROL: 1}
    assert len(thread_parents(emulator)) == 1
    assert len(emulator.calls("chat.postMessage")) == 4
    assert claimed(db) == 0


def orphans_at(scheduler: RitualScheduler, at: datetime) -> bool:
    with time_machine.travel(at, tick=False):
        return scheduler.orphans()


def dies_in_its_run(db: Database, emulator) -> int:
    """A clock that dies in the standup's run at AT, reading who is in the channel; the
    standup's id."""
    ritual_id = team_standup(db, emulator).id
    with db.transaction() as session:
        standups.set_roster(session, team_id=TEAM, ritual_id=ritual_id, roster={}, now=AT)
    plain = client_for(emulator, TEAM)
    dying = clock(db, emulator, DiesReadingRoster(base_url=plain.base_url, token=plain.token))
    with pytest.raises(Crash):
        fire(dying, AT)
    return ritual_id


def test_a_dead_clocks_run_is_taken_over_at_the_next_renewal_not_the_next_sweep(db, emulator):
    """What a clock does after renewing its lease (every ten seconds): a dead clock's
    unfinished run is seen once that clock's lease has run out, and run then, once."""
    dies_in_its_run(db, emulator)
    other = clock(db, emulator)
    assert not orphans_at(other, AT + timedelta(seconds=20))  # the dead one may be running it
    late = AT + claimers.LEASE + timedelta(seconds=1)
    assert orphans_at(other, late)
    with time_machine.travel(late, tick=False):
        other.take_over()
    assert counts(emulator) == {ALICE: 1, BOB: 1, CAROL: 1}
    assert len(thread_parents(emulator)) == 1
    assert not orphans_at(other, late + timedelta(seconds=10))


def test_a_dead_clocks_claimed_messages_are_taken_over_at_the_next_renewal(db, emulator):
    team_standup(db, emulator)
    dies_after(db, emulator, 1)
    other = clock(db, emulator)
    late = AT + claimers.LEASE + timedelta(seconds=1)
    assert orphans_at(other, late)
    with time_machine.travel(late, tick=False):
        other.take_over()
    assert counts(emulator) == {ALICE: 1, BOB: 1, CAROL: 1}
    assert len(emulator.calls("chat.postMessage")) == 4  # the first found in Slack
    assert claimed(db) == 0
    assert not orphans_at(other, late)


def test_a_run_past_its_grace_is_not_taken_over_again_and_again(db, emulator):
    """A run left unfinished long ago will not run again: it does not wake the clock at
    every renewal."""
    dies_in_its_run(db, emulator)
    other = clock(db, emulator)
    assert orphans_at(other, AT + timedelta(hours=1))
    assert not orphans_at(other, AT + rituals.LONGEST_GRACE + timedelta(minutes=1))


def test_a_running_clock_schedules_the_take_over_when_its_lease_is_renewed(db, emulator):
    team_standup(db, emulator)
    dies_after(db, emulator, 1)
    other = clock(db, emulator)
    other._scheduler.start(paused=True)  # its jobs are looked at, not run
    try:
        with time_machine.travel(AT + timedelta(seconds=20), tick=False):
            other.lease.after_renewal()
        assert other._scheduler.get_job("take-over") is None
        with time_machine.travel(AT + claimers.LEASE + timedelta(seconds=1), tick=False):
            other.lease.after_renewal()
        assert other._scheduler.get_job("take-over") is not None
    finally:
        other._scheduler.shutdown(wait=False)
