"""Rituals (standups and digests), their runs, standup answers and time away."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import TEAM_ID, USER_ID, Base, _enum
from storage.types import UTCDateTime, utcnow


class RitualKind(enum.StrEnum):
    STANDUP = "standup"
    DIGEST = "digest"
    # One per owner of watched models: a daily look at which checks and retrains are due.
    WATCH = "watch"


class Ritual(Base):
    """A standup or a digest for one channel; the database is the source of truth for schedules."""

    __tablename__ = "rituals"
    __table_args__ = (UniqueConstraint("team_id", "kind", "channel_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM_ID, index=True)
    kind: Mapped[RitualKind] = mapped_column(_enum(RitualKind))
    channel_id: Mapped[str] = mapped_column(String(32))
    # ISO weekday numbers, Monday = 1.
    weekdays: Mapped[list[int]] = mapped_column(JSON, default=lambda: [1, 2, 3, 4, 5])
    local_time: Mapped[time] = mapped_column(Time)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # "participant": each person's own Slack timezone; "team": `timezone` for everyone.
    timezone_rule: Mapped[str] = mapped_column(String(16), default="team")
    questions: Mapped[list[str]] = mapped_column(JSON, default=list)
    # "channel": every member of the channel; "chosen": the ids in `participants`.
    participants_rule: Mapped[str] = mapped_column(String(16), default="channel")
    participants: Mapped[list[str]] = mapped_column(JSON, default=list)
    reminder_minutes: Mapped[int | None] = mapped_column(Integer)
    cutoff_time: Mapped[time | None] = mapped_column(Time)
    holidays: Mapped[list[str]] = mapped_column(JSON, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    owner_id: Mapped[str] = mapped_column(USER_ID)
    # The participants as last read from Slack, user id → IANA timezone, so schedules are
    # computed from the database alone and prompts need no per-person lookups.
    roster: Mapped[dict[str, str] | None] = mapped_column(JSON)
    roster_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class RitualRun(Base):
    """A claimed occurrence: inserted before anything is posted, so it is posted once."""

    __tablename__ = "ritual_runs"
    __table_args__ = (
        UniqueConstraint("ritual_id", "occurrence"),
        Index("ix_ritual_runs_ritual_id_scheduled_for", "ritual_id", "scheduled_for"),
        # A clock asks every ten seconds whether a dead one left a recent run unfinished
        # (storage.claimers.orphaned): the recent ones, not every run ever.
        Index("ix_ritual_runs_scheduled_for", "scheduled_for"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM_ID, index=True)
    ritual_id: Mapped[int] = mapped_column(ForeignKey("rituals.id", ondelete="CASCADE"), index=True)
    # What the run serves, e.g. "2026-11-27" (the day's thread) or "2026-11-27/prompt/U123".
    occurrence: Mapped[str] = mapped_column(String(128))
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16), default="claimed")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    # Who started it by hand (`/standup now`); None for the scheduler's runs.
    started_by: Mapped[str | None] = mapped_column(USER_ID)
    # The clock process running it (storage.claimers): another takes it over if that one dies.
    claimed_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class StandupAnswer(Base):
    __tablename__ = "standup_answers"
    __table_args__ = (UniqueConstraint("run_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM_ID, index=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("ritual_runs.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(USER_ID)
    # Question text → answer text, in the order asked.
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    message_ts: Mapped[str | None] = mapped_column(String(32))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StandupBlocker(Base):
    """A blocker someone raised in a standup, open until they say it is resolved."""

    __tablename__ = "standup_blockers"
    __table_args__ = (Index("ix_standup_blockers_ritual_id_user_id", "ritual_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM_ID, index=True)
    ritual_id: Mapped[int] = mapped_column(ForeignKey("rituals.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(USER_ID)
    text: Mapped[str] = mapped_column(Text)
    raised_on: Mapped[date]
    # The last standup day its person answered with it still open.
    seen_on: Mapped[date]
    resolved_on: Mapped[date | None]


class Away(Base):
    """A person's declared time away: no prompts from `starts_on` through `ends_on`."""

    __tablename__ = "aways"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM_ID, index=True)
    user_id: Mapped[str] = mapped_column(USER_ID)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StandupConversation(Base):
    """A person's standup prompt answered by replying in the DM: the day it serves, the
    answers given so far and the question waiting for its reply (None once it is done)."""

    __tablename__ = "standup_conversations"
    __table_args__ = (
        UniqueConstraint("ritual_id", "day", "user_id"),
        Index("ix_standup_conversations_team_id_user_id", "team_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM_ID)
    ritual_id: Mapped[int] = mapped_column(ForeignKey("rituals.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(USER_ID)
    day: Mapped[date]
    # Question text → reply, in the order asked; what the stored answer becomes when done.
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    asking: Mapped[int | None] = mapped_column(Integer, default=0)
    prompted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
