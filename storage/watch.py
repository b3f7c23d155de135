"""What is watched after a ship: a problem's watch plan, the checks of its production
value, and its retrains."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from storage.models import TEAM_ID, USER_ID, Base, _enum
from storage.problems import Problem
from storage.types import UTCDateTime, utcnow


class CheckOutcome(enum.StrEnum):
    """What came of a check: within the plan, or an alert and what the team did about it."""

    WITHIN = "within"
    ALERT = "alert"  # past the threshold or a shift flagged, not answered yet
    KEPT = "kept"  # "Fine, keep watching"
    RETRAINED = "retrained"
    REOPENED = "reopened"  # a new discovery problem was opened from it


class WatchPlan(Base):
    """How a shipped model is watched: one per problem, written with its ship decision."""

    __tablename__ = "watch_plans"
    __table_args__ = (UniqueConstraint("team_id", "problem_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM_ID, index=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id", ondelete="CASCADE"))
    metric_name: Mapped[str] = mapped_column(String(200))
    shipped_value: Mapped[float] = mapped_column(Float)
    # An absolute value (`0.80`), or a drop relative to the value at ship (`-5%` → -0.05).
    alert_value: Mapped[float] = mapped_column(Float)
    alert_relative: Mapped[bool] = mapped_column(Boolean, default=False)
    check_every_days: Mapped[int] = mapped_column(Integer, default=7)
    retrain_every_days: Mapped[int | None] = mapped_column(Integer)
    owner_id: Mapped[str] = mapped_column(USER_ID)
    shipped_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The last retrain, or the ship: where the retraining cadence counts from.
    trained_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(USER_ID)
    # Where the ritual reads the production value instead of asking: an MLflow run's id on
    # the workspace's connected server, and the metric's key in it (both or neither).
    source_run: Mapped[str | None] = mapped_column(String(64))
    source_key: Mapped[str | None] = mapped_column(String(250))

    # A problem in production reads its plan as `problem.watch_plan`.
    problem: Mapped[Problem] = relationship(
        backref=backref("watch_plan", uselist=False, viewonly=True), viewonly=True
    )
    checks: Mapped[list[WatchCheck]] = relationship(
        back_populates="plan", order_by="WatchCheck.checked_at"
    )


class WatchCheck(Base):
    """One reading of the production value, and whether the input data has shifted."""

    __tablename__ = "watch_checks"
    __table_args__ = (UniqueConstraint("team_id", "source_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM_ID, index=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("watch_plans.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[float] = mapped_column(Float)
    shifted: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[CheckOutcome] = mapped_column(_enum(CheckOutcome))
    checked_by: Mapped[str] = mapped_column(USER_ID)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The discovery problem opened from this check's alert, if any.
    opened_problem_id: Mapped[int | None] = mapped_column(
        ForeignKey("problems.id", ondelete="SET NULL")
    )
    source_key: Mapped[str | None] = mapped_column(String(128))
    # Where the value was read, when the ritual read it: `MLflow run 0123456789ab (`key`)`.
    read_from: Mapped[str | None] = mapped_column(String(300))

    plan: Mapped[WatchPlan] = relationship(back_populates="checks")


class Retrain(Base):
    """A retrain of a watched model, on the record; it resets the retraining cadence."""

    __tablename__ = "watch_retrains"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM_ID, index=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("watch_plans.id", ondelete="CASCADE"), index=True
    )
    retrained_by: Mapped[str] = mapped_column(USER_ID)
    retrained_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
