"""Experiment trackers a workspace connected (MLflow, W&B), and each run being fetched."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import TEAM_ID, USER_ID, Base, _enum
from storage.types import UTCDateTime, utcnow


class TrackerKind(enum.StrEnum):
    MLFLOW = "mlflow"
    WANDB = "wandb"


class FetchState(enum.StrEnum):
    FETCHING = "fetching"  # waiting for the tracker; the clock's sweep tries again
    FETCHED = "fetched"
    FAILED = "failed"  # the tracker answered for good (no such run, no such metric)


class TrackerConnection(Base):
    """One tracker per kind per workspace; its token sealed (storage.secrets), never shown."""

    __tablename__ = "tracker_connections"
    __table_args__ = (UniqueConstraint("team_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM_ID, index=True)
    kind: Mapped[TrackerKind] = mapped_column(_enum(TrackerKind))
    url: Mapped[str] = mapped_column(Text)
    token: Mapped[str | None] = mapped_column(Text)
    # W&B: the entity (user or team) whose runs get the key; None for every run it reads.
    entity: Mapped[str | None] = mapped_column(String(64))
    connected_by: Mapped[str] = mapped_column(USER_ID)
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RunFetch(Base):
    """An experiment's run being read from its tracker: retried with a backoff while the
    tracker is down, its author told once after a day of failures."""

    __tablename__ = "run_fetches"
    __table_args__ = (Index("ix_run_fetches_state_next_try_at", "state", "next_try_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM_ID, index=True)
    experiment_id: Mapped[int] = mapped_column(
        ForeignKey("experiments.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[FetchState] = mapped_column(_enum(FetchState), default=FetchState.FETCHING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    author_told: Mapped[bool] = mapped_column(default=False)
    # Where the value came from, as the card shows it ("MLflow run ab12…, val/recall@10").
    source: Mapped[str | None] = mapped_column(Text)
    # The run's params, once read: the next run of the problem is compared with them.
    params: Mapped[dict[str, str] | None] = mapped_column(JSON(none_as_null=True))
    # What this run changed from the problem's best run so far, as the card shows it.
    params_changed: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
