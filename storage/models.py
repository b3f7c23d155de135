"""Typed SQLAlchemy models. Every row belongs to a workspace (`team_id`)."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

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


class Track(enum.StrEnum):
    DISCOVERY = "discovery"
    DELIVERY = "delivery"


class ProblemStatus(enum.StrEnum):
    OPEN = "open"
    IN_DELIVERY = "in_delivery"
    SHIPPED = "shipped"
    DROPPED = "dropped"


class Direction(enum.StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


class Outcome(enum.StrEnum):
    """An experiment's result against its problem's metric; computed, never typed."""

    MET_TARGET = "met_target"
    IMPROVED = "improved"
    NO_GAIN = "no_gain"
    WORSE = "worse"
    BROKEN = "broken"


class RitualKind(enum.StrEnum):
    STANDUP = "standup"
    DIGEST = "digest"


class DecisionKind(enum.StrEnum):
    CONTINUE = "continue"
    PIVOT = "pivot"
    CUT = "cut"
    SHIP = "ship"


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


class Problem(Base):
    __tablename__ = "problems"
    __table_args__ = (
        UniqueConstraint("team_id", "number"),
        UniqueConstraint("team_id", "source_key"),
        # The digest reads a workspace's active problems and those changed in a week.
        Index("ix_problems_team_id_status", "team_id", "status"),
        Index("ix_problems_team_id_updated_at", "team_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM_ID, index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    statement: Mapped[str | None] = mapped_column(Text)
    user_value: Mapped[str | None] = mapped_column(Text)
    feasibility: Mapped[str | None] = mapped_column(Text)
    metric_name: Mapped[str | None] = mapped_column(String(200))
    metric_definition: Mapped[str | None] = mapped_column(Text)
    direction: Mapped[Direction] = mapped_column(_enum(Direction), default=Direction.HIGHER)
    baseline: Mapped[float | None] = mapped_column(Float)
    target: Mapped[float | None] = mapped_column(Float)
    guardrails: Mapped[str | None] = mapped_column(Text)
    data_sources: Mapped[str | None] = mapped_column(Text)
    prior_work: Mapped[str | None] = mapped_column(Text)
    track: Mapped[Track] = mapped_column(_enum(Track), default=Track.DISCOVERY)
    status: Mapped[ProblemStatus] = mapped_column(_enum(ProblemStatus), default=ProblemStatus.OPEN)
    owner_id: Mapped[str] = mapped_column(USER_ID)
    created_by: Mapped[str] = mapped_column(USER_ID)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    review_on: Mapped[date | None]
    kill_criteria: Mapped[str | None] = mapped_column(Text)
    # The Slack message it was captured from (the "Capture as problem" shortcut).
    source_permalink: Mapped[str | None] = mapped_column(Text)
    # Where the channel card was posted, so later changes can update it in place.
    card_channel: Mapped[str | None] = mapped_column(String(32))
    card_ts: Mapped[str | None] = mapped_column(String(32))
    # Identifies the Slack request that created the row (trigger or view id), so a
    # redelivered command or a double-submitted modal stores one problem, not two.
    source_key: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by: Mapped[str | None] = mapped_column(USER_ID)

    decisions: Mapped[list[Decision]] = relationship(
        back_populates="problem", order_by="Decision.decided_at"
    )

    @property
    def ref(self) -> str:
        return f"P-{self.number}"


class Decision(Base):
    __tablename__ = "decisions"
    __table_args__ = (
        UniqueConstraint("team_id", "source_key"),
        Index("ix_decisions_team_id_decided_at", "team_id", "decided_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM_ID, index=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id", ondelete="CASCADE"))
    kind: Mapped[DecisionKind] = mapped_column(_enum(DecisionKind))
    rationale: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(USER_ID)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source_key: Mapped[str | None] = mapped_column(String(128))

    problem: Mapped[Problem] = relationship(back_populates="decisions")


class Experiment(Base):
    """One approach tried against a problem's metric."""

    __tablename__ = "experiments"
    __table_args__ = (
        UniqueConstraint("team_id", "number"),
        UniqueConstraint("team_id", "source_key"),
        # A week of a workspace's experiments (the digest), without reading its history.
        Index("ix_experiments_team_id_created_at", "team_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM_ID, index=True)
    number: Mapped[int] = mapped_column(Integer)
    problem_id: Mapped[int] = mapped_column(
        ForeignKey("problems.id", ondelete="CASCADE"), index=True
    )
    hypothesis: Mapped[str | None] = mapped_column(Text)
    approach: Mapped[str | None] = mapped_column(Text)
    dataset: Mapped[str | None] = mapped_column(String(300))
    value: Mapped[float | None] = mapped_column(Float)
    # Secondary metric values by name (guardrails and others), e.g. {"p95_ms": 41}.
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Stored when saved (from value, baseline, target and direction) so queries can filter on it.
    outcome: Mapped[Outcome] = mapped_column(_enum(Outcome), index=True)
    run_url: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    # The Slack message it was logged from (the "Log as experiment" shortcut).
    source_permalink: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[str] = mapped_column(USER_ID)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    # The confirmation message (sent through the outbox); analyses are posted in its thread.
    message_channel: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    source_key: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by: Mapped[str | None] = mapped_column(USER_ID)

    problem: Mapped[Problem] = relationship()

    @property
    def ref(self) -> str:
        return f"E-{self.number}"


class ErrorAnalysis(Base):
    """Why an experiment failed: the sample examined, error categories, causes, lessons."""

    __tablename__ = "error_analyses"
    __table_args__ = (
        UniqueConstraint("team_id", "number"),
        UniqueConstraint("team_id", "source_key"),
        Index("ix_error_analyses_team_id_created_at", "team_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM_ID, index=True)
    number: Mapped[int] = mapped_column(Integer)
    experiment_id: Mapped[int] = mapped_column(
        ForeignKey("experiments.id", ondelete="CASCADE"), index=True
    )
    sample_size: Mapped[int | None] = mapped_column(Integer)
    sample_method: Mapped[str | None] = mapped_column(Text)
    slices: Mapped[str | None] = mapped_column(Text)
    root_causes: Mapped[str | None] = mapped_column(Text)
    next_steps: Mapped[str | None] = mapped_column(Text)
    lessons: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[str] = mapped_column(USER_ID)
    message_ts: Mapped[str | None] = mapped_column(String(32))
    source_key: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by: Mapped[str | None] = mapped_column(USER_ID)

    experiment: Mapped[Experiment] = relationship()
    categories: Mapped[list[ErrorCategory]] = relationship(
        back_populates="analysis", cascade="all, delete-orphan", order_by="ErrorCategory.position"
    )
    follow_ups: Mapped[list[FollowUp]] = relationship(
        back_populates="analysis", cascade="all, delete-orphan", order_by="FollowUp.position"
    )

    @property
    def ref(self) -> str:
        return f"A-{self.number}"


class ErrorCategory(Base):
    __tablename__ = "error_categories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM_ID, index=True)
    analysis_id: Mapped[int] = mapped_column(
        ForeignKey("error_analyses.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    count: Mapped[int] = mapped_column(Integer)

    analysis: Mapped[ErrorAnalysis] = relationship(back_populates="categories")


class FollowUp(Base):
    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM_ID, index=True)
    analysis_id: Mapped[int] = mapped_column(
        ForeignKey("error_analyses.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[str | None] = mapped_column(USER_ID)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    analysis: Mapped[ErrorAnalysis] = relationship(back_populates="follow_ups")


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


class Away(Base):
    """A person's declared time away: no prompts from `starts_on` through `ends_on`."""

    __tablename__ = "aways"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM_ID, index=True)
    user_id: Mapped[str] = mapped_column(USER_ID)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HandledRequest(Base):
    """A Slack request that changed something, stored in the transaction of its change: a
    redelivery or a replay of the same request finds it, and changes nothing again."""

    __tablename__ = "handled_requests"

    team_id: Mapped[str] = mapped_column(TEAM_ID, primary_key=True)
    # What identifies the request whatever its signature: see bot/triggers.py.
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    user_id: Mapped[str] = mapped_column(USER_ID)
    handled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
