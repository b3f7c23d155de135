"""A problem's model in the team's MLflow model registry: the webhook registered there for
it, which posts the model's new versions and aliases into the problem's thread. Its
signing secret is sealed (storage.secrets); scoped by `team_id`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import TEAM_ID, USER_ID, Base
from storage.types import UTCDateTime, utcnow


class ModelLink(Base):
    __tablename__ = "model_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM_ID, index=True)
    # One model per problem: linking another replaces it.
    problem_id: Mapped[int] = mapped_column(
        ForeignKey("problems.id", ondelete="CASCADE"), unique=True
    )
    model_name: Mapped[str] = mapped_column(String(250))
    # The last part of the webhook's address (/hooks/mlflow/<hook_key>): random, not a row id.
    hook_key: Mapped[str] = mapped_column(String(64), unique=True)
    # MLflow's id of the webhook, to delete it when the problem is unlinked.
    webhook_id: Mapped[str] = mapped_column(String(64))
    secret: Mapped[str] = mapped_column(Text)
    linked_by: Mapped[str] = mapped_column(USER_ID)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
