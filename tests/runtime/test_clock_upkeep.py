"""The clock forgets what can no longer matter: messages sent a month ago, and requests
handled a day ago; nothing still waited on, nothing recent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from bot import triggers
from runtime.clock import RitualScheduler
from storage import outbox, sends
from storage.models import HandledRequest
from storage.outbox import OutboxMessage, Outgoing, Relation
from tests.conftest import ALICE, CHANNEL, TEAM

LONG_AGO = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def message(session, *, sent: bool, after: int | None = None, text: str = "hello") -> int:
    queued = outbox.enqueue(
        session,
        Outgoing(
            team_id=TEAM,
            what=text,
            channel=CHANNEL,
            text=text,
            after=after,
            relation=Relation.EDIT if after else None,
        ),
    )
    if sent:
        sends.sent(session, queued, channel=CHANNEL, ts=f"{queued}.0001")
    return queued


def test_the_clock_forgets_old_sent_messages_and_handled_requests_and_keeps_the_rest(db):
    with time_machine.travel(LONG_AGO, tick=False), db.transaction() as session:
        old = message(session, sent=True, text="old card")
        edited = message(session, sent=True, text="old card, edited since")
        waiting = message(session, sent=False, text="old and never sent")
        triggers.once(
            session,
            trigger=triggers.Trigger(team_id=TEAM, user_id=ALICE, key="command:old", what="x"),
        )
    with time_machine.travel(NOW - timedelta(hours=2), tick=False), db.transaction() as session:
        message(session, sent=False, after=edited, text="an edit still to send")
        recent = message(session, sent=True, text="today's card")
        triggers.once(
            session,
            trigger=triggers.Trigger(team_id=TEAM, user_id=ALICE, key="command:new", what="x"),
        )

    clock = RitualScheduler(db=db, client_factory=lambda _team: None, now=lambda: NOW)
    assert clock.prune() == (1, 1)

    with db.reading() as session:
        kept = set(session.scalars(select(OutboxMessage.id)))
        keys = list(session.scalars(select(HandledRequest.key)))
    assert old not in kept
    assert {edited, waiting, recent} <= kept
    assert keys == ["command:new"]
