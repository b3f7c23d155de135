"""Follow-ups of error analyses as work items: each has an owner who is told, sees it on
their board and marks it done; one left open two weeks shows in the digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from bot import permissions
from bot.analyses.drafts import FollowUpItem
from bot.errors import Forbidden, NotFound
from storage.analyses import ErrorAnalysis, FollowUp
from storage.experiments import Experiment
from storage.problems import Problem
from storage.types import utcnow

SHOWN = 20  # on a board, or in a digest
OVERDUE = timedelta(days=14)  # open this long, a follow-up shows in the digest


@dataclass(frozen=True, kw_only=True)
class FollowUpRecord:
    id: int
    team_id: str
    text: str
    owner_id: str | None
    done: bool
    done_at: datetime | None
    analysis_number: int
    analysis_author: str
    experiment_number: int
    problem_number: int
    asked_at: datetime  # when its analysis was written

    @property
    def where(self) -> str:
        return f"A-{self.analysis_number} (E-{self.experiment_number}, P-{self.problem_number})"


def _record(row: FollowUp) -> FollowUpRecord:
    analysis = row.analysis
    return FollowUpRecord(
        id=row.id,
        team_id=row.team_id,
        text=row.text,
        owner_id=row.owner_id,
        done=row.done,
        done_at=row.done_at,
        analysis_number=analysis.number,
        analysis_author=analysis.author_id,
        experiment_number=analysis.experiment.number,
        problem_number=analysis.experiment.problem.number,
        asked_at=analysis.created_at,
    )


def kept(rows: list[FollowUp], items: list[FollowUpItem], *, team_id: str) -> list[FollowUp]:
    """An edited analysis's follow-ups: one unchanged in what and who keeps its row (its
    state, and the buttons already sent for it); the others are new."""
    before = {(row.text, row.owner_id): row for row in rows}
    after = []
    for position, item in enumerate(items):
        row = before.pop((item.text, item.owner_id), None)
        if row is None:
            row = FollowUp(team_id=team_id, text=item.text, owner_id=item.owner_id, done=item.done)
        row.position = position
        after.append(row)
    return after


def _live(team_id: str) -> Select[tuple[FollowUp]]:
    """Follow-ups of this workspace whose analysis, experiment and problem still stand."""
    return (
        select(FollowUp)
        .join(ErrorAnalysis, FollowUp.analysis_id == ErrorAnalysis.id)
        .join(Experiment, ErrorAnalysis.experiment_id == Experiment.id)
        .join(Problem, Experiment.problem_id == Problem.id)
        .where(
            FollowUp.team_id == team_id,
            ErrorAnalysis.deleted_at.is_(None),
            Experiment.deleted_at.is_(None),
            Problem.deleted_at.is_(None),
        )
    )


def of_analysis(session: Session, *, team_id: str, number: int) -> tuple[FollowUpRecord, ...]:
    rows = session.scalars(
        _live(team_id).where(ErrorAnalysis.number == number).order_by(FollowUp.position)
    )
    return tuple(_record(row) for row in rows)


def open_for(session: Session, *, team_id: str, user_id: str) -> tuple[FollowUpRecord, ...]:
    """The person's open follow-ups, oldest first: theirs, and those nobody was given in
    analyses they wrote."""
    theirs = or_(
        FollowUp.owner_id == user_id,
        and_(FollowUp.owner_id.is_(None), ErrorAnalysis.author_id == user_id),
    )
    rows = session.scalars(
        _live(team_id)
        .where(theirs, FollowUp.done.is_(False))
        .order_by(ErrorAnalysis.created_at, FollowUp.position)
        .limit(SHOWN + 1)
    )
    return tuple(_record(row) for row in rows)


def open_since(
    session: Session, *, team_id: str, before: datetime, problem_ids: list[int]
) -> tuple[FollowUpRecord, ...]:
    """Follow-ups of these problems still open from analyses written before `before`,
    oldest first."""
    rows = session.scalars(
        _live(team_id)
        .where(
            FollowUp.done.is_(False),
            ErrorAnalysis.created_at < before,
            Problem.id.in_(problem_ids),
        )
        .order_by(ErrorAnalysis.created_at, FollowUp.position)
        .limit(SHOWN + 1)
    )
    return tuple(_record(row) for row in rows)


def mark_done(
    session: Session, *, team_id: str, follow_up_id: int, actor: permissions.Actor
) -> FollowUpRecord:
    """Mark a follow-up done (once: done again changes nothing). Its owner, its analysis's
    author, its problem's owner or an admin may."""
    row = session.scalar(_live(team_id).where(FollowUp.id == follow_up_id))
    if row is None:
        raise NotFound(
            "That follow-up is gone: its analysis was edited or deleted. "
            "`/analysis` lists what you owe, and your board lists your follow-ups."
        )
    record = _record(row)
    allowed = actor.is_admin or actor.user_id in (
        row.owner_id,
        record.analysis_author,
        row.analysis.experiment.problem.owner_id,
    )
    if not allowed:
        raise Forbidden(
            f"You can't mark this follow-up of A-{record.analysis_number} done: only its "
            "owner, the analysis's author, the problem's owner or a workspace admin can."
        )
    if not row.done:
        row.done, row.done_at = True, utcnow()
    return _record(row)
