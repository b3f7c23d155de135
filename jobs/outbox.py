"""The outbox's sender: claims due messages, sends each to Slack once, records what became
of it (storage.outbox has the states).

Each post carries its outbox id in its message metadata (jobs/stamps.py). A claim whose
outcome never came back (a timeout, a lost answer, a process killed mid-send) is looked for
in the channel before it is sent again: found, it is marked sent; not found, it goes out
now. Rate limits are waited out per workspace and method (RateGate); a refusal for good
fails the message and tells its owner once, by DM; anything else is tried again with
backoff (jobs/answered.py records each answer).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from jobs import answered, canvas, stamps
from jobs.delivery import RateGate, Sent, call, permalink
from jobs.lease import Lease
from storage import outbox, sends
from storage.db import Database
from storage.outbox import OutboxMessage, OutboxState, Relation
from storage.sends import Claimed
from storage.types import utcnow

log = logging.getLogger(__name__)

# How long a send waits out a rate limit while it holds its claim; past it, the message
# waits unclaimed for its next try. Shorter with a person waiting for the answer.
RATE_LIMIT_PATIENCE = 30.0
PERSON_WAITING_PATIENCE = 2.0
# A claim this old with no outcome was interrupted, whoever holds it: a live send ends well
# before (the rate limit patience, plus the client's timeout for each of its tries). A dead
# clock's claims are taken over sooner, when its lease runs out (storage.claimers).
LEASE = timedelta(minutes=3)
BATCH = 100
# A workspace's messages are claimed this many at a time: a claim covers only what goes out
# in the next few seconds, so a process killed mid-send strands few (each is looked for in
# Slack once its lease runs out).
CLAIM = 25
# Workspaces served at once: their rate limits are Slack's per workspace, so one waiting
# out its limit need not hold up the rest.
WORKSPACES_AT_ONCE = 8
WORKSPACES_READ = 4 * WORKSPACES_AT_ONCE


@dataclass(frozen=True)
class Delivery:
    """For the person who caused a message: why it was refused, or why it waits for later."""

    refused: str | None = None
    waiting: str | None = None


@dataclass
class Drained:
    """What one workspace's drain did: the ids it claimed and sent, and whether Slack held
    the rest back."""

    claimed: set[int] = field(default_factory=set)
    sent: set[int] = field(default_factory=set)
    held_back: bool = False


@dataclass
class Sender:
    """Sends the outbox's due messages, each workspace with its own client."""

    db: Database
    client_for: Callable[[str], WebClient]
    clock: Callable[[], datetime] = utcnow
    # A clock process's: its claims carry its id, and another clock takes them over at once
    # if it dies. None in a web process: its claims are taken over after LEASE.
    lease: Lease | None = None
    _gates: dict[tuple[str, str], RateGate] = field(default_factory=dict)

    def send(
        self, ids: Iterable[int] | None = None, *, patience: float = RATE_LIMIT_PATIENCE
    ) -> int:
        """Send due messages (only `ids`, when given) until none is left; how many were sent.

        Each workspace's messages go in order, one at a time; up to WORKSPACES_AT_ONCE
        workspaces are served at once, so one waiting out its rate limit (up to `patience`
        seconds a message) holds up no other.
        """
        wanted = None if ids is None else list(ids)
        if not self._anything(wanted):
            return 0
        # Workspaces left for this round: another sender holds all that is due there, or
        # Slack stopped taking their messages.
        total, idle = 0, set()
        # Workspaces read as due and not yet served: read several rounds' worth at once,
        # since the read looks across every workspace's messages.
        queued: list[str] = []
        with ThreadPoolExecutor(WORKSPACES_AT_ONCE, thread_name_prefix="outbox") as pool:
            serving: dict[Future[Drained], str] = {}
            while True:
                if len(serving) < WORKSPACES_AT_ONCE and not queued:
                    with self.db.reading() as session:
                        queued = sends.due_workspaces(
                            session,
                            now=self.clock(),
                            ids=wanted,
                            besides=idle | set(serving.values()),
                            limit=WORKSPACES_READ,
                        )
                while queued and len(serving) < WORKSPACES_AT_ONCE:
                    team_id = queued.pop(0)
                    serving[pool.submit(self._drain, team_id, wanted, patience)] = team_id
                if not serving:
                    return total
                finished, _ = wait(serving, return_when=FIRST_COMPLETED)
                for work in finished:
                    team_id = serving.pop(work)
                    drained = work.result()
                    total += len(drained.sent)
                    if drained.held_back or not drained.claimed:
                        idle.add(team_id)

    def _drain(self, team_id: str, ids: list[int] | None, patience: float) -> Drained:
        """Send a workspace's due messages in order until none is left, or until Slack stops
        taking them: then the rest of the claim waits unclaimed for the next try."""
        drained = Drained()
        outcomes: list[answered.Outcome] = []
        untried: Sequence[Claimed] = ()
        while True:
            # What Slack answered to one claim and the next claim, in one commit: a process
            # killed before it leaves both claimed, and each is looked for in Slack when the
            # lease runs out, as for a single message.
            held_back = bool(outcomes) and outcomes[-1].answer.retry
            # All of `ids` tried: no need to ask again.
            done = held_back or (ids is not None and drained.claimed.issuperset(ids))
            # Registered before the transaction: the lease writes in one of its own.
            claimer, term = self._claimer(), self._term()
            with self.db.transaction() as session:
                gave_up = answered.record(
                    session, outcomes, untried=untried, claimer=claimer, now=self.clock()
                )
                batch = [] if done else self._claim(session, team_id, ids, claimer)
            answered.log_gave_up(gave_up)
            drained.sent.update(o.message.id for o in outcomes if o.answer.ts is not None)
            if not batch:
                drained.held_back = held_back
                return drained
            drained.claimed.update(c.message.id for c in batch)
            outcomes = []
            try:
                for claimed in batch:
                    if not self._held(term):
                        break  # the rest go back unclaimed, unless another clock took them
                    outcomes.append(self._send(claimed, patience=patience))
                    if outcomes[-1].answer.retry:
                        break
            except BaseException:
                self._record(outcomes)  # the rest stay claimed: looked for after the lease
                raise
            untried = batch[len(outcomes) :]

    def _claim(
        self, session: Any, team_id: str, ids: list[int] | None, claimer: int | None
    ) -> list[Claimed]:
        now = self.clock()
        return sends.claim(session, team_id=team_id, now=now, limit=CLAIM, ids=ids, claimer=claimer)

    def _claimer(self) -> int | None:
        return None if self.lease is None else self.lease.claimer

    def _term(self) -> int:
        return 0 if self.lease is None else self.lease.current()

    def _held(self, term: int) -> bool:
        """Whether claims made in `term` are still this process's to send."""
        return self.lease is None or self.lease.held(term)

    def _anything(self, ids: list[int] | None) -> bool:
        now = self.clock()
        with self.db.reading() as session:
            return sends.anything_due(session, now=now, ids=ids, stuck_before=now - LEASE)

    def send_now(self, ids: list[int], *, team_id: str, person: str) -> Delivery:
        """Send at once, in this thread, for a person waiting on it (the workspace's own
        messages only): what became of the first. If it is left for later, `person` hears
        if it is finally refused."""
        if not ids:
            return Delivery()
        if ids[0] in self._drain(team_id, list(ids), PERSON_WAITING_PATIENCE).sent:
            return Delivery()
        with self.db.reading() as session:
            first = outbox.get(session, team_id=team_id, message_id=ids[0])
        if first is None or first.state == OutboxState.SENT:
            return Delivery()
        with self.db.transaction() as session:
            if first.state == OutboxState.FAILED:
                # They hear it now, in place: not again by DM.
                outbox.withdraw(session, team_id=team_id, key=answered.refusal_key(first.id))
                return Delivery(refused=Sent(error=first.error).why)
            outbox.adopt(session, team_id=team_id, message_id=first.id, owner=person)
            return Delivery(waiting=Sent(error=first.error).why)

    def sweep(self) -> int:
        """The clock's round: resolve interrupted sends, then send everything due."""
        if not self._anything(None):
            return 0
        claimer, term, now = self._claimer(), self._term(), self.clock()
        with self.db.transaction() as session:
            stuck = sends.interrupted(
                session, now=now, before=now - LEASE, limit=BATCH, claimer=claimer
            )
        found = sum(self._resolve(message) for message in stuck if self._held(term))
        return found + self.send()

    def _gate(self, team_id: str, method: str) -> RateGate:
        return self._gates.setdefault((team_id, method), RateGate())

    def _send(self, claimed: Claimed, *, patience: float = RATE_LIMIT_PATIENCE) -> answered.Outcome:
        """One call to Slack; what it answered is recorded by the caller."""
        message, channel = claimed.message, claimed.channel
        client = self.client_for(message.team_id)
        link = self._link_after(client, message) if message.links_after else None
        if canvas.is_canvas(message):
            text = canvas.content(self.db, message)
            method, do, args = canvas.call_for(client, message, ts=claimed.ts, text=text)
        else:
            method, do, args = stamps.call_for(
                client, message, channel=channel, ts=claimed.ts, link=link
            )
        answer = call(do, gate=self._gate(message.team_id, method), patience=patience, **args)
        if answer.error == "missing_scope" and message.username:
            # A workspace that installed the app before it asked for chat:write.customize:
            # the message says whose it is, so it goes in the bot's own name.
            method, do, args = stamps.call_for(
                client, message, channel=channel, ts=claimed.ts, link=link, as_person=False
            )
            answer = call(do, gate=self._gate(message.team_id, method), patience=patience, **args)
        return answered.Outcome(message, answer, channel)

    def _link_after(self, client: WebClient, message: OutboxMessage) -> str | None:
        """The permalink of the message this one follows; None when Slack will not give it
        (the message then names where it is, without the link)."""
        with self.db.reading() as session:
            first = outbox.get(session, team_id=message.team_id, message_id=message.after or 0)
        if first is None or first.ts is None:
            return None
        return permalink(client, channel=first.sent_channel or first.channel, ts=first.ts)

    def _record(self, outcomes: list[answered.Outcome]) -> None:
        """What Slack answered to each, in a transaction of its own."""
        with self.db.transaction() as session:
            gave_up = answered.record(session, outcomes, now=self.clock())
        answered.log_gave_up(gave_up)

    def _resolve(self, message: OutboxMessage) -> int:
        """An interrupted send: marked sent if Slack has it, else sent now."""
        client = self.client_for(message.team_id)
        with self.db.reading() as session:
            channel, thread_ts = sends.target(session, message)
        # A canvas carries no stamp to find it by: sent again (at worst, one canvas more).
        if (
            message.relation != Relation.EDIT
            and message.file is None
            and not canvas.is_canvas(message)
        ):
            try:
                found = stamps.find(client, message, channel=channel, thread_ts=thread_ts)
            except (SlackApiError, OSError) as error:
                return self._unresolved(message, error)
            if found is not None:
                with self.db.transaction() as session:
                    sends.sent(session, message.id, channel=found[0], ts=found[1])
                return 1
        outcome = self._send(Claimed(message, channel, thread_ts))
        self._record([outcome])
        return int(outcome.answer.ts is not None)

    def _unresolved(self, message: OutboxMessage, error: Exception) -> int:
        """Slack would not show the channel: try again next sweep if that may pass, else
        give up on it rather than risk posting it twice, and say so to its owner."""
        answer = error.response if isinstance(error, SlackApiError) else None
        status = answer.status_code if answer is not None else 0
        if answer is None or status == 429 or status >= 500:
            log.info("could not look for outbox %s yet: %s", message.id, type(error).__name__)
            return 0
        log.warning("cannot look for outbox %s: %s", message.id, answer.get("error"))
        with self.db.transaction() as session:
            sends.refused(session, message.id, error="unconfirmed")
            answered.tell_owner(session, message, Sent(error="unconfirmed"))
        return 0
