"""Time away from standups: declared through a date, or for one's next standup day."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import UsageError
from bot.schedule import Plan, next_occurrence
from bot.standup.service import AWAY_MAX_DAYS, StandupRecord, plan, zone_today
from storage.rituals import Away


def declare_away(
    session: Session, *, team_id: str, user_id: str, starts_on: date, ends_on: date
) -> None:
    if ends_on < starts_on:
        raise UsageError(
            f"{ends_on.isoformat()} is in the past. Type a date from today on, "
            "e.g. `/standup skip until 2026-12-31`."
        )
    if (ends_on - starts_on).days > AWAY_MAX_DAYS:
        raise UsageError("Skip at most a year at a time, e.g. `/standup skip until 2026-12-31`.")
    session.add(Away(team_id=team_id, user_id=user_id, starts_on=starts_on, ends_on=ends_on))
    session.flush()


def skip(
    session: Session,
    *,
    record: StandupRecord,
    user_id: str,
    until: date | None,
    now: datetime,
) -> tuple[date, date]:
    """Declare time away: through `until`, or else the person's next standup day only."""
    if until is not None:
        first, last = zone_today(record, user_id=user_id, now=now), until
    else:
        steps = plan(record)
        own = Plan(
            weekdays=steps.weekdays,
            zones=(record.zone_of(user_id),),
            steps=steps.steps[:1],
            holidays=steps.holidays,
        )
        upcoming = next_occurrence(own, now)
        if upcoming is None:
            raise UsageError("This standup has no day coming up. Check its days with `/standup`.")
        first = last = upcoming.day
    declare_away(session, team_id=record.team_id, user_id=user_id, starts_on=first, ends_on=last)
    return first, last


def away_on(session: Session, *, team_id: str, day: date) -> set[str]:
    """Who declared time away covering `day`."""
    return set(
        session.scalars(
            select(Away.user_id).where(
                Away.team_id == team_id, Away.starts_on <= day, Away.ends_on >= day
            )
        )
    )
