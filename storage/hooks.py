"""The experiments webhook of each workspace: the hash of its bearer token (the token
itself is shown once and never stored), who connected it and where. Scoped by `team_id`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import TEAM_ID, USER_ID, Base
from storage.types import UTCDateTime


class Webhook(Base):
    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    # One per workspace: connecting again rotates its token.
    team_id: Mapped[str] = mapped_column(TEAM_ID, unique=True)
    # sha256 of the token, hex: a token is 256 random bits, so a plain hash is enough.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Experiments sent through it are logged in this person's name.
    connected_by: Mapped[str] = mapped_column(USER_ID)
    # Where their confirmations go when their problem has no channel of its own.
    channel_id: Mapped[str] = mapped_column(String(32))
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime)
