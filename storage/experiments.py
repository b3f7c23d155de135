"""Experiments: one approach tried against a problem's metric, and its outcome."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models import TEAM_ID, USER_ID, Base, _enum
from storage.problems import Problem
from storage.types import UTCDateTime, utcnow


class Outcome(enum.StrEnum):
    """An experiment's result against its problem's metric; computed, never typed."""

    MET_TARGET = "met_target"
    IMPROVED = "improved"
    BEAT_BASELINE = "beat_baseline"
    INCONCLUSIVE = "inconclusive"
    NO_GAIN = "no_gain"
    WORSE = "worse"
    BROKEN = "broken"
    UNJUDGED = "unjudged"


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
    # The mean of `values`, one per seed (a run repeated with another seed); None when the
    # run broke and nothing was measured.
    value: Mapped[float | None] = mapped_column(Float)
    values: Mapped[list[float]] = mapped_column(JSON, default=list, server_default="[]")
    # How many examples the run was evaluated on; the problem's evaluation set size unless told.
    eval_size: Mapped[int | None] = mapped_column(Integer)
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
