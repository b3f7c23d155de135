"""A workspace's tracker connections: saved (token sealed), listed (token never shown), removed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.errors import RitualbotError
from storage.secrets import KEY_VARIABLE, SecretBox
from storage.trackers import TrackerConnection, TrackerKind
from storage.types import utcnow


@dataclass(frozen=True)
class Connection:
    kind: TrackerKind
    url: str
    has_token: bool
    connected_by: str
    connected_at: datetime
    entity: str | None = None


@dataclass(frozen=True)
class Credentials:
    url: str
    token: str | None
    entity: str | None = None  # W&B: the key is for this entity's runs only


class NoSecretKey(RitualbotError):
    """A token was given but the operator set no key to seal it with."""


def require_box(box: SecretBox | None) -> SecretBox:
    if box is None:
        raise NoSecretKey(
            f"ritualbot can't keep a token yet: tokens are stored encrypted, and its operator "
            f"has not set {KEY_VARIABLE} (`ritualbot secret-key` prints one). Ask them to set "
            "it, or connect without a token if your server needs none."
        )
    return box


def connect(
    session: Session,
    *,
    team_id: str,
    kind: TrackerKind,
    url: str,
    token: str | None,
    user_id: str,
    box: SecretBox | None,
    entity: str | None = None,
) -> None:
    """Save the workspace's `kind` connection, replacing the one it had."""
    sealed = require_box(box).seal(token) if token else None
    row = _row(session, team_id=team_id, kind=kind)
    if row is None:
        row = TrackerConnection(team_id=team_id, kind=kind)
        session.add(row)
    row.url, row.token, row.connected_by, row.connected_at = url, sealed, user_id, utcnow()
    row.entity = entity


def connections(session: Session, *, team_id: str) -> list[Connection]:
    rows = session.scalars(
        select(TrackerConnection)
        .where(TrackerConnection.team_id == team_id)
        .order_by(TrackerConnection.kind)
    )
    return [
        Connection(r.kind, r.url, r.token is not None, r.connected_by, r.connected_at, r.entity)
        for r in rows
    ]


def disconnect(session: Session, *, team_id: str, kind: TrackerKind) -> bool:
    """Forget the connection and its token; False when there was none."""
    gone = session.execute(
        delete(TrackerConnection).where(
            TrackerConnection.team_id == team_id, TrackerConnection.kind == kind
        )
    )
    return bool(gone.rowcount)


def credentials(
    session: Session, *, team_id: str, kind: TrackerKind, box: SecretBox | None
) -> Credentials | None:
    """The connection's address and opened token, for calling the tracker."""
    row = _row(session, team_id=team_id, kind=kind)
    if row is None:
        return None
    token = require_box(box).open(row.token) if row.token else None
    return Credentials(row.url, token, row.entity)


def _row(session: Session, *, team_id: str, kind: TrackerKind) -> TrackerConnection | None:
    return session.scalar(
        select(TrackerConnection).where(
            TrackerConnection.team_id == team_id, TrackerConnection.kind == kind
        )
    )
