"""The outbox: every message the bot sends on its own, stored before it is sent.

A message is written `pending` in the transaction that stores the record causing it; what
the sender then does to it (claim, sent, failed, tried again) is in storage.sends.

A message may wait on another (`after`): a reply goes in that message's thread, an edit
edits it, and a continuation simply follows it. It is claimable only once that one is sent.

When a message belongs to a record (a problem's card), `slot` names where the record keeps
where its message went, and `sent` writes the channel and ts there in the same commit.

Every query here is scoped by `team_id`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, delete, exists, select, update
from sqlalchemy.orm import Session, aliased

# The table (storage.outbox_rows): the rest of the app takes its names from here.
from storage.outbox_rows import OutboxMessage, OutboxState, Relation
from storage.types import utcnow
from storage.upsert import DIALECT_INSERT


@dataclass(frozen=True, kw_only=True)
class Outgoing:
    """A message to enqueue: where, what, and what it belongs to."""

    team_id: str
    what: str
    channel: str
    text: str
    blocks: list[dict[str, Any]] | None = None
    file: bytes | None = None
    filename: str | None = None
    file_title: str | None = None
    after: int | None = None
    relation: Relation | None = None
    target_ts: str | None = None
    slot: str | None = None
    record_number: int | None = None
    owner: str | None = None
    key: str | None = None
    username: str | None = None
    icon_url: str | None = None
    links_after: bool | None = None


def enqueue(session: Session, message: Outgoing) -> int:
    """Store a message pending, in the caller's transaction, and give its id; with a `key`
    already stored in the workspace, that message's id instead (also when another
    transaction stores it at the same moment).

    One INSERT … RETURNING, not the ORM's unit of work: a capture enqueues its card inside
    SQLite's one writer, and a flush cost more than the rest of the capture's writes.
    """
    if message.key is None:
        return session.execute(_insert_one(), _row(message, utcnow())).scalar_one()
    stored = session.execute(_insert_keyed(session), _row(message, utcnow())).scalar()
    if stored is None:  # the workspace has that key already
        stored = session.execute(
            _id_of_key(), {"team_id": message.team_id, "key": message.key}
        ).scalar_one()
    return stored


@cache
def _insert_one() -> Any:
    table = OutboxMessage.__table__
    return table.insert().returning(table.c.id)


def _insert_keyed(session: Session) -> Any:
    """Keyed messages, each skipped where the workspace has its key: (id, key) of those
    stored. Built once per engine kind (a capture enqueues its canvas this way)."""
    return _insert_keyed_for(session.get_bind().dialect.name)


@cache
def _insert_keyed_for(dialect: str) -> Any:
    table = OutboxMessage.__table__
    return (
        DIALECT_INSERT[dialect](table)
        .on_conflict_do_nothing(index_elements=["team_id", "key"])
        .returning(table.c.id, table.c.key)
    )


@cache
def _id_of_key() -> Any:
    return select(OutboxMessage.id).where(
        OutboxMessage.team_id == bindparam("team_id"), OutboxMessage.key == bindparam("key")
    )


def _row(message: Outgoing, now: datetime) -> dict[str, Any]:
    """The columns of a new pending message (Core inserts apply no ORM defaults)."""
    return vars(message) | {"state": OutboxState.PENDING, "attempts": 0, "created_at": now}


def enqueue_all(session: Session, messages: list[Outgoing]) -> dict[str, int]:
    """Store many keyed messages in one statement (a standup's prompts), skipping keys the
    workspace has already; the key and id of each one stored now."""
    assert all(m.key is not None for m in messages), "enqueue_all takes keyed messages"
    if not messages:
        return {}
    now = utcnow()
    rows = [_row(m, now) for m in messages]
    # Only the columns some row fills (the rest are NULL all the same): a standup's fifty
    # prompts bind half the parameters, each of which the driver parses.
    filled = [column for column in rows[0] if any(row[column] is not None for row in rows)]
    rows = [{column: row[column] for column in filled} for row in rows]
    stored = session.execute(_insert_keyed(session), rows)
    return {key: id_ for id_, key in stored}


def sent_keys(
    session: Session,
    *,
    team_id: str,
    prefix: str,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[str]:
    """The keys under `prefix` of the workspace's messages that reached Slack (queued at or
    after `since`, and at or before `until`, when given)."""
    query = select(OutboxMessage.key).where(
        OutboxMessage.team_id == team_id,
        OutboxMessage.key.startswith(prefix, autoescape=True),
        OutboxMessage.state == OutboxState.SENT,
    )
    if since is not None:
        query = query.where(OutboxMessage.created_at >= since)
    if until is not None:
        query = query.where(OutboxMessage.created_at <= until)
    return list(session.scalars(query))


def latest(session: Session, *, team_id: str, prefix: str) -> OutboxMessage | None:
    """The workspace's newest message with a key under `prefix`, if any."""
    return session.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.key.startswith(prefix, autoescape=True),
        )
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )


def edit(session: Session, *, team_id: str, of: int, text: str, blocks: list[Any]) -> int | None:
    """Change a message's text and blocks: in place while it waits to be sent, else by an
    edit that waits for it (one pending edit per message: the newest replaces the last).
    The id of the message that carries the change; None if the original was refused."""
    original = session.get(OutboxMessage, of)
    if original is None or original.team_id != team_id or original.state == OutboxState.FAILED:
        return None
    if original.state == OutboxState.PENDING:
        original.text, original.blocks = text, blocks
        return original.id
    waiting = session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.after == of,
            OutboxMessage.relation == Relation.EDIT,
            OutboxMessage.state == OutboxState.PENDING,
        )
    )
    if waiting is not None:
        waiting.text, waiting.blocks = text, blocks
        return waiting.id
    change = Outgoing(
        team_id=team_id,
        what=f"an update of {original.what}",
        channel=original.channel,
        text=text,
        blocks=blocks,
        after=of,
        relation=Relation.EDIT,
    )
    return enqueue(session, change)


def of_record(
    session: Session, *, team_id: str, slot: str, record_number: int
) -> OutboxMessage | None:
    """The message a record's slot is filled by (sent or not), if any."""
    return session.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.slot == slot,
            OutboxMessage.record_number == record_number,
            OutboxMessage.relation.is_(None) | (OutboxMessage.relation != Relation.EDIT),
        )
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )


def waiting_of_record(
    session: Session, *, team_id: str, slot: str, record_number: int
) -> OutboxMessage | None:
    """A message of a record's slot (its first send or an edit) still waiting to be sent:
    a change coalesces into it.

    Locked until the caller commits: a sender claims past locked rows, so it cannot send
    the message with content rendered before the change is visible. One claimed meanwhile
    is found no longer waiting (PostgreSQL reads the row again once the claim commits),
    and the change queues a message of its own."""
    return session.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.slot == slot,
            OutboxMessage.record_number == record_number,
            OutboxMessage.state == OutboxState.PENDING,
        )
        .order_by(OutboxMessage.id.desc())
        .limit(1)
        .with_for_update()
    )


def get(session: Session, *, team_id: str, message_id: int) -> OutboxMessage | None:
    return session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.id == message_id, OutboxMessage.team_id == team_id
        )
    )


def states(session: Session, *, team_id: str, ids: list[int]) -> dict[int, OutboxState]:
    """What became of each of these messages so far."""
    rows = session.execute(
        select(OutboxMessage.id, OutboxMessage.state).where(
            OutboxMessage.team_id == team_id, OutboxMessage.id.in_(ids)
        )
    )
    return {id_: state for id_, state in rows}


def adopt(session: Session, *, team_id: str, message_id: int, owner: str) -> None:
    """Make `owner` the one told if a message still on its way is refused."""
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.team_id == team_id,
            OutboxMessage.state.in_([OutboxState.PENDING, OutboxState.CLAIMED]),
        )
        .values(owner=owner)
    )


def withdraw(session: Session, *, team_id: str, key: str) -> None:
    """Forget a message not yet sent: one made needless before it went out."""
    session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.key == key,
            OutboxMessage.state == OutboxState.PENDING,
        )
    )


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
