"""Every edit, deletion and restore of a record, kept as a version: who, when, old and new."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import UsageError
from storage import queries
from storage.models import RecordVersion
from storage.types import utcnow

HISTORY_LIMIT = 30


class Action:
    EDIT = "edit"
    DELETE = "delete"
    RESTORE = "restore"


@dataclass(frozen=True, kw_only=True)
class Change:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True, kw_only=True)
class Version:
    action: str
    changed_by: str
    changed_at: datetime
    changes: tuple[Change, ...]


def _plain(value: Any) -> Any:
    """A value as JSON keeps it (enums by value, dates as ISO text)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def snapshot(row: Any, names: Iterable[str]) -> dict[str, Any]:
    return {name: _plain(getattr(row, name)) for name in names}


def record(
    session: Session,
    *,
    team_id: str,
    kind: str,
    record_id: int,
    action: str,
    user_id: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> bool:
    """Keep one version; an edit that changes nothing keeps none (and answers False)."""
    before, after = before or {}, after or {}
    changes = {
        name: {"old": before.get(name), "new": after.get(name)}
        for name in {*before, *after}
        if before.get(name) != after.get(name)
    }
    if action == Action.EDIT and not changes:
        return False
    session.add(
        RecordVersion(
            team_id=team_id,
            kind=kind,
            record_id=record_id,
            action=action,
            changes=changes,
            changed_by=user_id,
            changed_at=utcnow(),
        )
    )
    return True


def versions(session: Session, *, team_id: str, kind: str, record_id: int) -> tuple[Version, ...]:
    """The record's versions, newest first."""
    rows = session.scalars(
        select(RecordVersion)
        .where(
            RecordVersion.team_id == team_id,
            RecordVersion.kind == kind,
            RecordVersion.record_id == record_id,
        )
        .order_by(RecordVersion.changed_at.desc(), RecordVersion.id.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    return tuple(
        Version(
            action=row.action,
            changed_by=row.changed_by,
            changed_at=row.changed_at,
            changes=tuple(
                Change(field=name, old=change.get("old"), new=change.get("new"))
                for name, change in sorted(row.changes.items())
            ),
        )
        for row in rows
    )


class SoftDeletable(Protocol):
    id: int
    team_id: str
    ref: str
    deleted_at: datetime | None
    deleted_by: str | None


def soft_delete(
    session: Session, row: SoftDeletable, *, kind: str, user_id: str, restore_command: str
) -> None:
    """Mark the row deleted (kept, and its id never reused) and keep the version."""
    queries.lock(session, row)
    if row.deleted_at is not None:
        raise UsageError(
            f"{row.ref} is already deleted. `{restore_command} {row.ref}` brings it back."
        )
    row.deleted_at, row.deleted_by = utcnow(), user_id
    record(
        session,
        team_id=row.team_id,
        kind=kind,
        record_id=row.id,
        action=Action.DELETE,
        user_id=user_id,
    )
    session.flush()


def restore(session: Session, row: SoftDeletable, *, kind: str, user_id: str) -> None:
    """Undo a deletion and keep the version; a row that is not deleted is left alone."""
    queries.lock(session, row)
    if row.deleted_at is None:
        return
    row.deleted_at, row.deleted_by = None, None
    record(
        session,
        team_id=row.team_id,
        kind=kind,
        record_id=row.id,
        action=Action.RESTORE,
        user_id=user_id,
    )
    session.flush()
