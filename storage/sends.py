"""What the sender does to the outbox's messages (storage.outbox has the table).

A sender claims a due message (`claimed`, committed), sends it stamped with its id, and
marks it `sent` with Slack's ts, or `failed` when Slack refuses it for good. Anything else
puts it back to `pending` with a later `next_try_at`. A claim whose outcome never came back
(a timeout, a process killed mid-send) is *interrupted*: the sender looks for the stamped
message in the channel before it sends again, so a message reaches Slack once.

Finding what is due looks across workspaces (a sender serves them all, each with its own
client); everything else is scoped by `team_id` or by a message's id.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, func, select, update
from sqlalchemy.orm import Session, aliased

from storage.outbox import SLOTS, OutboxMessage, OutboxState, Relation

# The message another waits for. Made once: an alias is costly to build, and every send of
# a person's own card asks what is due.
_parent = aliased(OutboxMessage)
_READY = OutboxMessage.after.is_(None) | exists(
    select(_parent.id).where(_parent.id == OutboxMessage.after, _parent.state == OutboxState.SENT)
)


def _due(now: datetime, ids: Iterable[int] | None) -> Any:
    """Pending, due by `now`, and not waiting for a message still unsent (of `ids` only)."""
    due = and_(
        OutboxMessage.state == OutboxState.PENDING,
        OutboxMessage.next_try_at.is_(None) | (OutboxMessage.next_try_at <= now),
        _READY,
    )
    return due if ids is None else and_(due, OutboxMessage.id.in_(list(ids)))


def anything_due(
    session: Session, *, now: datetime, ids: Iterable[int] | None = None, stuck_before: datetime
) -> bool:
    """Whether a sender has anything to do: read first, so an idle sweep never waits for
    (or holds up) SQLite's one writer."""
    stuck = (OutboxMessage.state == OutboxState.CLAIMED) & (OutboxMessage.claimed_at < stuck_before)
    return session.scalar(select(exists().where(_due(now, ids) | stuck))) or False


def due_workspaces(
    session: Session,
    *,
    now: datetime,
    ids: Iterable[int] | None = None,
    besides: Iterable[str] = (),
    limit: int,
) -> list[str]:
    """Up to `limit` workspaces with messages due (of `ids` only, when given) and not among
    `besides`, the one waiting longest first."""
    query = select(OutboxMessage.team_id).where(_due(now, ids))
    if besides:
        query = query.where(OutboxMessage.team_id.not_in(list(besides)))
    query = query.group_by(OutboxMessage.team_id).order_by(func.min(OutboxMessage.id))
    return list(session.scalars(query.limit(limit)))


def claim(
    session: Session,
    *,
    team_id: str,
    now: datetime,
    limit: int,
    ids: Iterable[int] | None = None,
) -> list[OutboxMessage]:
    """Take up to `limit` of a workspace's due messages (of `ids` only, when given), oldest
    first; commit the claim before sending. On PostgreSQL, rows another sender is claiming
    are skipped."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.team_id == team_id, _due(now, ids))
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=OutboxMessage)
    )
    rows = list(session.scalars(query))
    for row in rows:
        row.state, row.claimed_at, row.attempts = OutboxState.CLAIMED, now, row.attempts + 1
    return rows


def interrupted(session: Session, *, before: datetime, limit: int) -> list[OutboxMessage]:
    """Claims older than `before` whose outcome never came back, re-claimed for the sender
    that resolves them (it looks for each in Slack before sending it again)."""
    rows = list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.state == OutboxState.CLAIMED, OutboxMessage.claimed_at < before)
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    for row in rows:
        row.claimed_at = before
    return rows


def needs_parent(message: OutboxMessage) -> bool:
    """Whether a message's target is the one of the message it waits for."""
    return message.after is not None and message.relation != Relation.FOLLOWS


def target(session: Session, message: OutboxMessage) -> tuple[str, str | None]:
    """The channel to send to, and the ts the message replies to or edits (None for a new
    top-level post): its own `target_ts`, or the one of the message it waits for."""
    if not needs_parent(message):
        return message.channel, message.target_ts
    parent = session.get(OutboxMessage, message.after)
    assert parent is not None and parent.ts is not None, "claimed before what it waits for"
    return parent.sent_channel or parent.channel, parent.ts


def sent(session: Session, message_id: int, *, channel: str, ts: str) -> None:
    """Mark a message sent at `ts`, and tell the record it belongs to where it went."""
    marked = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(state=OutboxState.SENT, ts=ts, sent_channel=channel, error=None)
        .returning(
            OutboxMessage.team_id,
            OutboxMessage.slot,
            OutboxMessage.record_number,
            OutboxMessage.relation,
        )
    ).one()
    slot = SLOTS.get(marked.slot or "")
    if slot is not None and marked.relation != Relation.EDIT:
        session.execute(
            update(slot.table)
            .where(
                slot.table.c.team_id == marked.team_id,
                slot.table.c[slot.by] == marked.record_number,
            )
            .values({slot.ts: ts} | ({slot.channel: channel} if slot.channel else {}))
        )


def unconfirmed(session: Session, message_id: int, *, error: str) -> None:
    """Slack may have taken it without saying so: still claimed, to be looked for later."""
    session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(error=error))


def retry(session: Session, message_id: int, *, at: datetime, error: str) -> None:
    """Slack did not take it this time: pending again, from `at`."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(state=OutboxState.PENDING, next_try_at=at, error=error)
    )


def release(session: Session, ids: list[int], *, at: datetime, error: str) -> None:
    """Claimed but never tried (Slack stopped taking the workspace's messages first):
    pending again from `at`, their claim not counted as a try."""
    if ids:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.state == OutboxState.CLAIMED)
            .values(
                state=OutboxState.PENDING,
                next_try_at=at,
                error=error,
                attempts=OutboxMessage.attempts - 1,
            )
        )


def refused(session: Session, message_id: int, *, error: str) -> list[int]:
    """Slack refused it for good: failed, with every message waiting on it; their ids."""
    failed, wave = [], [message_id]
    while wave:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(wave))
            .values(state=OutboxState.FAILED, error=error)
        )
        failed += wave
        wave = list(
            session.scalars(
                select(OutboxMessage.id).where(
                    OutboxMessage.after.in_(wave), OutboxMessage.state == OutboxState.PENDING
                )
            )
        )
    return failed


def prune(session: Session, *, before: datetime, limit: int) -> int:
    """Forget up to `limit` messages sent or failed before `before` that no message waits
    on (a reply or an edit of one goes first; its parent, on a later pass). The records
    keep where their messages went (their slots), which is all an edit needs later.
    Across workspaces, like the sender's search for what is due: it is upkeep."""
    child = aliased(OutboxMessage)
    done = select(OutboxMessage.id).where(
        OutboxMessage.state.in_([OutboxState.SENT, OutboxState.FAILED]),
        OutboxMessage.created_at < before,
        ~exists(select(child.id).where(child.after == OutboxMessage.id)),
    )
    ids = list(session.scalars(done.limit(limit)))
    if ids:
        session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))
    return len(ids)


RETRY_BACKOFF = (timedelta(seconds=15), timedelta(minutes=1), timedelta(minutes=5))
RETRY_CAP = timedelta(minutes=15)


def backoff(attempts: int) -> timedelta:
    """How long to wait before try number `attempts + 1`."""
    return RETRY_BACKOFF[attempts - 1] if 0 < attempts <= len(RETRY_BACKOFF) else RETRY_CAP
