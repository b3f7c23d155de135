"""Error analyses of experiments, with their error categories and follow-ups."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.experiments import Experiment
from storage.models import TEAM_ID, USER_ID, Base
from storage.types import UTCDateTime, utcnow


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
