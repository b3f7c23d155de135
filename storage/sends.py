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
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Integer, Select, and_, bindparam, exists, func, select, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import BindParameter

from storage import claimers
from storage.outbox import OutboxMessage, OutboxState, Relation
from storage.outbox_rows import SLOTS
from storage.types import UTCDateTime

# The message another waits for. Made once: an alias is costly to build, and every send of
# a person's own card asks what is due.
_parent = aliased(OutboxMessage)
_READY = OutboxMessage.after.is_(None) | exists(
    select(_parent.id).where(_parent.id == OutboxMessage.after, _parent.state == OutboxState.SENT)
)


def _due(now: datetime | BindParameter[Any], ids: Iterable[int] | BindParameter[Any] | None) -> Any:
    """Pending, due by `now`, and not waiting for a message still unsent (of `ids` only)."""
    due = and_(
        OutboxMessage.state == OutboxState.PENDING,
        OutboxMessage.next_try_at.is_(None) | (OutboxMessage.next_try_at <= now),
        _READY,
    )
    if ids is None:
        return due
    return and_(due, OutboxMessage.id.in_(ids if isinstance(ids, BindParameter) else list(ids)))


def anything_due(
    session: Session, *, now: datetime, ids: Iterable[int] | None = None, stuck_before: datetime
) -> bool:
    """Whether a sender has anything to do: read first, so an idle sweep never waits for
    (or holds up) SQLite's one writer."""
    return (
        session.scalar(select(exists().where(_due(now, ids) | _stuck(now, stuck_before)))) or False
    )


def _stuck(now: datetime, before: datetime) -> Any:
    """Claimed, and its outcome will not come back: claimed before `before`, or held by a
    clock process whose lease ran out."""
    return (OutboxMessage.state == OutboxState.CLAIMED) & (
        (OutboxMessage.claimed_at < before) | claimers.gone(OutboxMessage.claimed_by, now=now)
    )


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


class Claimed(NamedTuple):
    """A claimed message and where it goes: the channel, and the ts it replies to or edits
    (None for a new top-level post)."""

    message: OutboxMessage
    channel: str
    ts: str | None


# The message another waits for, as the claim reads where that one went.
_target = aliased(OutboxMessage, name="target")
_outbox = OutboxMessage.__table__
_NOW = bindparam("now", type_=UTCDateTime())
_IDS = bindparam("ids", expanding=True)


def _claimable(*, of_ids: bool) -> Select[Any]:
    """A workspace's due messages, oldest first, each with the channel and ts of the one it
    waits for, locked for the claim."""
    return (
        select(OutboxMessage, func.coalesce(_target.sent_channel, _target.channel), _target.ts)
        .outerjoin(_target, _target.id == OutboxMessage.after)
        .where(OutboxMessage.team_id == bindparam("team_id"), _due(_NOW, _IDS if of_ids else None))
        .order_by(OutboxMessage.id)
        .limit(bindparam("limit", type_=Integer()))
        .with_for_update(skip_locked=True, of=OutboxMessage)
    )


# The claim's statements, made once: building and caching one costs more than running it,
# and a fan-out claims thousands of times.
_CLAIMABLE = {False: _claimable(of_ids=False), True: _claimable(of_ids=True)}
_CLAIM = (
    update(_outbox)
    .where(_outbox.c.id.in_(_IDS))
    .values(state=OutboxState.CLAIMED, claimed_at=_NOW, attempts=_outbox.c.attempts + 1)
    .values(claimed_by=bindparam("by"))
)
_SENT = (
    update(_outbox)
    .where(_outbox.c.id == bindparam("sent_id"))
    .values(state=OutboxState.SENT, ts=bindparam("sent_ts"), sent_channel=bindparam("to"))
    .values(error=None)
)


def claim(
    session: Session,
    *,
    team_id: str,
    now: datetime,
    limit: int,
    ids: Iterable[int] | None = None,
    claimer: int | None = None,
) -> list[Claimed]:
    """Take up to `limit` of a workspace's due messages (of `ids` only, when given), oldest
    first, each with where it goes, held by `claimer` (None: a process without a lease);
    commit the claim before sending. On PostgreSQL, rows another sender is claiming are
    skipped."""
    chosen = {"team_id": team_id, "now": now, "limit": limit}
    if ids is not None:
        chosen["ids"] = list(ids)
    rows = session.execute(_CLAIMABLE[ids is not None], chosen).all()
    if rows:
        ids = [message.id for message, _, _ in rows]
        session.execute(_CLAIM, {"ids": ids, "now": now, "by": claimer})
    claimed = []
    for message, channel, ts in rows:
        # What the statement above stored, without making the message a change to flush.
        set_committed_value(message, "state", OutboxState.CLAIMED)
        set_committed_value(message, "claimed_at", now)
        set_committed_value(message, "claimed_by", claimer)
        set_committed_value(message, "attempts", message.attempts + 1)
        if not needs_parent(message):
            channel, ts = message.channel, message.target_ts
        claimed.append(Claimed(message, channel, ts))
    return claimed


def interrupted(
    session: Session, *, now: datetime, before: datetime, limit: int, claimer: int | None = None
) -> list[OutboxMessage]:
    """Claims whose outcome will not come back (claimed before `before`, or held by a dead
    clock process), taken over by `claimer` to resolve them: it looks for each in Slack
    before sending it again. Claimed anew from `now`, so no other sender takes one while
    this one looks for it."""
    rows = list(
        session.scalars(
            select(OutboxMessage)
            .where(_stuck(now, before))
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    for row in rows:
        row.claimed_at, row.claimed_by = now, claimer
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
    _fill_slot(session, marked, channel=channel, ts=ts)


def all_sent(session: Session, sent: list[tuple[OutboxMessage, str, str]]) -> None:
    """Mark claimed messages sent, each (message, channel, ts), in one statement; and tell
    the records they belong to where they went."""
    if not sent:
        return
    session.execute(_SENT, [{"sent_id": m.id, "sent_ts": ts, "to": to} for m, to, ts in sent])
    for message, channel, ts in sent:
        _fill_slot(session, message, channel=channel, ts=ts)


def _fill_slot(
    session: Session, message: OutboxMessage | Row[Any], *, channel: str, ts: str
) -> None:
    """Where a message went, written in the record it belongs to (an edit leaves it)."""
    slot = SLOTS.get(message.slot or "")
    if slot is not None and message.relation != Relation.EDIT:
        session.execute(
            update(slot.table)
            .where(
                slot.table.c.team_id == message.team_id,
                slot.table.c[slot.by] == message.record_number,
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


def release(
    session: Session,
    ids: list[int],
    *,
    at: datetime,
    error: str | None = None,
    claimer: int | None = None,
) -> None:
    """Claimed by `claimer` but never tried (Slack stopped taking the workspace's messages
    first, or its lease ran out): pending again from `at`, the claim not counted as a try,
    with `error` as its last one if given. One another process took over is left to it."""
    if ids:
        changes: dict[str, Any] = {} if error is None else {"error": error}
        session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(ids),
                OutboxMessage.state == OutboxState.CLAIMED,
                OutboxMessage.claimed_by.is_not_distinct_from(claimer),
            )
            .values(
                state=OutboxState.PENDING,
                next_try_at=at,
                attempts=OutboxMessage.attempts - 1,
                **changes,
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
