"""The workspace's problems as lists: `/problem list` and the board's active problems by
track."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.problems.service import ACTIVE, ProblemRecord
from storage.problems import Problem, Track

LIST_LIMIT = 25
# A listing counts the problems it does not show up to this many, then says "1,000+": an
# exact count of a large workspace costs a scan of all its problems on every list.
COUNT_LIMIT = 1000


class Scope:
    OPEN = "open"
    MINE = "mine"
    ALL = "all"
    CHOICES = (OPEN, MINE, ALL)


@dataclass(frozen=True, kw_only=True)
class Listing:
    problems: tuple[ProblemRecord, ...]
    total: int
    # True when there are more than `total` (the count stopped at COUNT_LIMIT).
    more: bool = False


def listing(session: Session, *, team_id: str, scope: str, user_id: str) -> Listing:
    """Problems of the workspace, newest first: active ones, the user's own, or all."""
    where = [Problem.team_id == team_id, Problem.deleted_at.is_(None)]
    if scope in (Scope.OPEN, Scope.MINE):
        where.append(Problem.status.in_(ACTIVE))
    if scope == Scope.MINE:
        where.append(Problem.owner_id == user_id)
    rows = session.scalars(
        select(Problem).where(*where).order_by(Problem.number.desc()).limit(LIST_LIMIT)
    ).all()
    total = len(rows)
    if total == LIST_LIMIT:
        capped = select(Problem.id).where(*where).limit(COUNT_LIMIT + 1).subquery()
        total = session.scalar(select(func.count()).select_from(capped)) or total
    more = total > COUNT_LIMIT
    return Listing(
        problems=tuple(ProblemRecord.of(r) for r in rows),
        total=min(total, COUNT_LIMIT),
        more=more,
    )


def open_by_track(session: Session, *, team_id: str) -> dict[Track, tuple[ProblemRecord, ...]]:
    """The workspace's active problems grouped by track, for the App Home board."""
    rows = session.scalars(
        select(Problem)
        .where(
            Problem.team_id == team_id,
            Problem.status.in_(ACTIVE),
            Problem.deleted_at.is_(None),
        )
        .order_by(Problem.number.desc())
        .limit(200)
    ).all()
    return {track: tuple(ProblemRecord.of(r) for r in rows if r.track == track) for track in Track}
