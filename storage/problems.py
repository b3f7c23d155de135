"""Problems and the decisions taken on them (continue, pivot, cut losses, ship, reopen)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models import TEAM_ID, USER_ID, Base, _enum
from storage.types import UTCDateTime, utcnow


class Track(enum.StrEnum):
    DISCOVERY = "discovery"
    DELIVERY = "delivery"


class ProblemStatus(enum.StrEnum):
    OPEN = "open"
    IN_DELIVERY = "in_delivery"
    SHIPPED = "shipped"  # closed before watch plans: nothing is watched
    IN_PRODUCTION = "in_production"  # shipped, and watched (storage.watch)
    DROPPED = "dropped"


class Direction(enum.StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


class MetricKind(enum.StrEnum):
    """What values a problem's metric can take; None on a problem means not said."""

    PROPORTION = "proportion"  # 0 to 1: accuracy, recall, F1, error rate…
    BOUNDED = "bounded"  # from metric_low to metric_high
    UNBOUNDED = "unbounded"  # latency, loss…


class DecisionKind(enum.StrEnum):
    CONTINUE = "continue"
    PIVOT = "pivot"
    CUT = "cut"
    SHIP = "ship"
    # Opens a dropped or shipped problem again (migration 0012 widened the column for it).
    REOPEN = "reopen"


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
    # Without a CHECK constraint, so adding it kept the table (and its search triggers).
    metric_kind: Mapped[MetricKind | None] = mapped_column(_enum(MetricKind, constraint=False))
    # The range of a BOUNDED metric.
    metric_low: Mapped[float | None] = mapped_column(Float)
    metric_high: Mapped[float | None] = mapped_column(Float)
    # The metric's key in the team's tracker (`val/recall@10`): a pasted run's value.
    metric_key: Mapped[str | None] = mapped_column(String(250))
    # How many examples the metric is measured on (its evaluation set).
    eval_size: Mapped[int | None] = mapped_column(Integer)
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
    # Its lab notebook as a Slack canvas (bot.canvas), once created; or why Slack would not
    # create one (canvases off, the scope not granted), said once on the card.
    canvas_id: Mapped[str | None] = mapped_column(String(32))
    canvas_error: Mapped[str | None] = mapped_column(String(64))
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
