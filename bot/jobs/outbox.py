"""The outbox's sender: claims due messages, sends each to Slack once, records what became
of it (storage.outbox has the states).

Each post carries its outbox id in its message metadata. A claim whose outcome never came
back (a timeout, a lost answer, a process killed mid-send) is looked for in the channel
before it is sent again: found, it is marked sent; not found, it goes out now. Rate limits
are waited out per workspace and method (RateGate); a refusal for good fails the message
and tells its owner once, by DM; anything else is tried again with backoff.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.jobs.delivery import RateGate, Sent, call
from storage import outbox
from storage.db import Database
from storage.outbox import OutboxMessage, Outgoing, Relation
from storage.types import utcnow

log = logging.getLogger(__name__)

STAMP = "ritualbot_outbox"
# A claim this old with no outcome was interrupted: Slack's client gives up well before.
LEASE = timedelta(minutes=2)
# Past this, a message Slack keeps not taking is reported to its owner instead.
GIVE_UP = timedelta(days=1)
BATCH = 100


@dataclass
class Sender:
    """Sends the outbox's due messages, each workspace with its own client."""

    db: Database
    client_for: Callable[[str], WebClient]
    clock: Callable[[], datetime] = utcnow
    _gates: dict[tuple[str, str], RateGate] = field(default_factory=dict)

    def send(self, ids: Iterable[int] | None = None) -> int:
        """Send due messages (only `ids`, when given) until none is left; how many were sent."""
        wanted = None if ids is None else list(ids)
        total = 0
        while True:
            with self.db.transaction() as session:
                claimed = outbox.claim(session, now=self.clock(), limit=BATCH, ids=wanted)
            if not claimed:
                return total
            total += sum(self._send(message) for message in claimed)

    def sweep(self) -> int:
        """The clock's round: resolve interrupted sends, then send everything due."""
        with self.db.transaction() as session:
            stuck = outbox.interrupted(session, before=self.clock() - LEASE, limit=BATCH)
        found = sum(self._resolve(message) for message in stuck)
        return found + self.send()

    def _gate(self, team_id: str, method: str) -> RateGate:
        return self._gates.setdefault((team_id, method), RateGate())

    def _send(self, message: OutboxMessage) -> int:
        with self.db.reading() as session:
            channel, ts = outbox.target(session, message)
        client = self.client_for(message.team_id)
        if message.relation == Relation.EDIT:
            method, args = "chat.update", {"channel": channel, "ts": ts}
            do = client.chat_update
        elif message.file is not None:
            return self._upload(client, message, channel=channel, thread_ts=ts)
        else:
            method, do = "chat.postMessage", client.chat_postMessage
            args = {
                "channel": channel,
                "thread_ts": ts,
                "metadata": {"event_type": STAMP, "event_payload": {"outbox_id": message.id}},
            }
        answer = call(
            do,
            gate=self._gate(message.team_id, method),
            text=message.text,
            blocks=message.blocks or [],
            **args,
        )
        return self._record(message, answer, channel=channel)

    def _upload(
        self, client: WebClient, message: OutboxMessage, *, channel: str, thread_ts: str | None
    ) -> int:
        """A file (a chart) with `text` as its comment; its file id stands for a ts."""
        try:
            answer = client.files_upload_v2(
                channel=channel,
                content=message.file,
                filename=message.filename,
                title=message.filename,
                initial_comment=message.text,
                thread_ts=thread_ts,
            )
        except SlackApiError as error:
            code = error.response.get("error", "") if error.response is not None else ""
            status = error.response.status_code if error.response is not None else 0
            sent = Sent(error=code or f"http_{status}", retry=status == 429 or status >= 500)
        except OSError:
            sent = Sent(error="unreachable", retry=True)
        else:
            sent = Sent(ts=answer["file"]["id"])
        return self._record(message, sent, channel=channel)

    def _record(self, message: OutboxMessage, answer: Sent, *, channel: str) -> int:
        now = self.clock()
        with self.db.transaction() as session:
            if answer.ts:
                outbox.sent(session, message.id, channel=channel, ts=answer.ts)
                return 1
            if answer.unknown and message.relation != Relation.EDIT:
                # Slack may have posted it: left claimed, it is looked for before any resend.
                return 0
            if (answer.retry or answer.unknown) and message.created_at > now - GIVE_UP:
                outbox.retry(
                    session,
                    message.id,
                    at=now + outbox.backoff(message.attempts),
                    error=answer.error or "unknown",
                )
                return 0
            outbox.refused(session, message.id, error=answer.error or "refused")
            self._tell_owner(session, message, answer)
        log.warning("gave up on %s (outbox %s): %s", message.what, message.id, answer.error)
        return 0

    def _tell_owner(self, session: Any, message: OutboxMessage, answer: Sent) -> None:
        """One DM to the message's owner, itself through the outbox (and owned by nobody)."""
        if message.owner is None:
            return
        where = f"in <#{message.channel}>" if message.channel[:1] in "CG" else "to you"
        outbox.enqueue(
            session,
            Outgoing(
                team_id=message.team_id,
                what=f"a notice about {message.what}",
                channel=message.owner,
                text=f"I couldn't post {message.what} {where}: {answer.why}.",
                key=f"refused:{message.id}",
            ),
        )

    def _resolve(self, message: OutboxMessage) -> int:
        """An interrupted send: marked sent if Slack has it, else sent now."""
        client = self.client_for(message.team_id)
        with self.db.reading() as session:
            channel, thread_ts = outbox.target(session, message)
        if message.relation != Relation.EDIT and message.file is None:
            try:
                found = self._find(client, message, channel=channel, thread_ts=thread_ts)
            except (SlackApiError, OSError) as error:
                log.info("could not look for outbox %s yet: %s", message.id, error)
                return 0
            if found is not None:
                with self.db.transaction() as session:
                    outbox.sent(session, message.id, channel=found[0], ts=found[1])
                return 1
        return self._send(message)

    def _find(
        self, client: WebClient, message: OutboxMessage, *, channel: str, thread_ts: str | None
    ) -> tuple[str, str] | None:
        """The (channel, ts) of the message stamped with this outbox id, if Slack has it."""
        if channel[:1] in "UW":  # a DM is found in the conversation with that person
            channel = client.conversations_open(users=channel)["channel"]["id"]
        oldest = f"{message.created_at.timestamp() - 60:.6f}"
        if thread_ts:
            page = client.conversations_replies(
                channel=channel, ts=thread_ts, oldest=oldest, include_all_metadata=True, limit=200
            )
        else:
            page = client.conversations_history(
                channel=channel, oldest=oldest, include_all_metadata=True, limit=200
            )
        for seen in page.get("messages", []):
            payload = (seen.get("metadata") or {}).get("event_payload") or {}
            if payload.get("outbox_id") == message.id:
                return channel, seen["ts"]
        return None
