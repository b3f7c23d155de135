"""What Slack last said of each person: the name and picture their standup answers are
posted under, kept so that posting an answer asks Slack nothing. Scoped by `team_id`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import TEAM_ID, USER_ID, Base
from storage.types import UTCDateTime
from storage.upsert import insert


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM_ID)
    user_id: Mapped[str] = mapped_column(USER_ID)
    # Their display name, or their real name when they set none.
    name: Mapped[str] = mapped_column(String(120))
    image_url: Mapped[str | None] = mapped_column(String(500))
    read_at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True, kw_only=True)
class Profile:
    """A person as their answers show them: name and avatar."""

    user_id: str
    name: str
    image_url: str | None


def remember(session: Session, *, team_id: str, profiles: Iterable[Profile], now: datetime) -> None:
    """Store what Slack said of these people, replacing what it said before."""
    rows = [
        {
            "team_id": team_id,
            "user_id": p.user_id,
            "name": p.name[:120],
            "image_url": (p.image_url or "")[:500] or None,
            "read_at": now,
        }
        for p in profiles
    ]
    if not rows:
        return
    table = Person.__table__
    statement = insert(session, table)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["team_id", "user_id"],
            set_={
                "name": statement.excluded.name,
                "image_url": statement.excluded.image_url,
                "read_at": statement.excluded.read_at,
            },
        ),
        rows,
    )


def profile_of(session: Session, *, team_id: str, user_id: str) -> Profile | None:
    row = session.scalar(select(Person).where(Person.team_id == team_id, Person.user_id == user_id))
    if row is None:
        return None
    return Profile(user_id=row.user_id, name=row.name, image_url=row.image_url)
