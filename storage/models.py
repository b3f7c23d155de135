"""Typed SQLAlchemy models: the declarative base, shared column types, the workspace's tables.

Every row belongs to a workspace (`team_id`). The records and rituals are modelled in
storage.problems, storage.experiments, storage.analyses and storage.rituals; storage.schema
holds them all, for whatever needs every table (the migrations).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import UTCDateTime, utcnow

TEAM_ID = String(32)
USER_ID = String(32)


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_N_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


def _enum(cls: type[enum.Enum], *, constraint: bool = True) -> Enum:
    """An enum stored as its values in a short string column. Without the CHECK constraint
    (`constraint=False`) SQLite adds the column in place: a table copy would lose the search
    triggers."""
    return Enum(
        cls,
        native_enum=False,
        create_constraint=constraint,
        length=16,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Workspace(Base):
    __tablename__ = "workspaces"

    team_id: Mapped[str] = mapped_column(TEAM_ID, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Counter(Base):
    """The last human id handed out per workspace and kind (`P`, `E`, `A`)."""

    __tablename__ = "counters"

    team_id: Mapped[str] = mapped_column(TEAM_ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(4), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class RecordVersion(Base):
    """One edit, delete or restore of a record: who, when, and each field's old and new value."""

    __tablename__ = "record_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM_ID, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    changed_by: Mapped[str] = mapped_column(USER_ID)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HandledRequest(Base):
    """A Slack request that changed something, stored in the transaction of its change: a
    redelivery or a replay of the same request finds it, and changes nothing again."""

    __tablename__ = "handled_requests"

    team_id: Mapped[str] = mapped_column(TEAM_ID, primary_key=True)
    # What identifies the request whatever its signature: see bot/triggers.py.
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    user_id: Mapped[str] = mapped_column(USER_ID)
    handled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
