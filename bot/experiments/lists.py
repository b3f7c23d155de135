"""Experiments listed: a problem's latest, and those a person still owes an analysis."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from bot.experiments.choices import problem_row
from bot.experiments.service import ExperimentRecord, record_of
from bot.verdict import OWES_ANALYSIS
from storage.analyses import ErrorAnalysis
from storage.experiments import Experiment
from storage.problems import Problem


def of_problem(
    session: Session, *, team_id: str, number: int, limit: int = 10
) -> tuple[ExperimentRecord, ...]:
    """A problem's latest experiments, newest first."""
    problem = problem_row(session, team_id=team_id, number=number)
    rows = session.scalars(
        select(Experiment)
        .where(
            Experiment.team_id == team_id,
            Experiment.problem_id == problem.id,
            Experiment.deleted_at.is_(None),
        )
        .order_by(Experiment.number.desc())
        .limit(limit)
    ).all()
    return tuple(record_of(session, r) for r in rows)


def owed_analyses(
    session: Session, *, team_id: str, user_id: str, limit: int = 50
) -> tuple[ExperimentRecord, ...]:
    """The user's experiments that showed no gain and still have no error analysis, oldest
    first."""
    analysed = exists().where(
        ErrorAnalysis.experiment_id == Experiment.id, ErrorAnalysis.deleted_at.is_(None)
    )
    rows = session.scalars(
        select(Experiment)
        .join(Problem, Experiment.problem_id == Problem.id)
        .where(
            Experiment.team_id == team_id,
            Experiment.author_id == user_id,
            Experiment.deleted_at.is_(None),
            Problem.deleted_at.is_(None),
            Experiment.outcome.in_(OWES_ANALYSIS),
            ~analysed,
        )
        .order_by(Experiment.number)
        .limit(limit)
    ).all()
    return tuple(record_of(session, r, analysed=()) for r in rows)  # none, by the query
