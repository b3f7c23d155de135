"""Experiments judged against their problem's metric: each new outcome, and the stored ones
kept in line when results or the metric change; each problem's best result."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import outcome
from bot.experiments.choices import problem_row
from bot.problems.service import ProblemRecord
from storage.experiments import Experiment
from storage.problems import Direction, Problem


def _best_before(session: Session, *, problem: Problem, number: int | None) -> float | None:
    where = [
        Experiment.team_id == problem.team_id,
        Experiment.problem_id == problem.id,
        Experiment.deleted_at.is_(None),
        Experiment.value.is_not(None),
    ]
    if number is not None:
        where.append(Experiment.number < number)
    pick = func.max if problem.direction == Direction.HIGHER else func.min
    return session.scalar(select(pick(Experiment.value)).where(*where))


def assess(
    session: Session, *, problem: Problem, value: float | None, number: int | None
) -> outcome.Assessment:
    """How a value compares, against the best result before E-<number> (before all: None)."""
    return outcome.assess(
        value,
        baseline=problem.baseline,
        target=problem.target,
        direction=problem.direction,
        best_before=_best_before(session, problem=problem, number=number),
    )


def reassess_problem(session: Session, problem: Problem) -> None:
    """Recompute the stored outcomes of a problem's experiments, oldest first.

    Outcomes are stored so queries can filter on them (owed analyses, digests); they
    follow the problem's baseline, target and direction, and the best earlier result.
    Outcomes are computed, never typed, so recomputing them keeps no version.
    """
    rows = session.scalars(
        select(Experiment)
        .where(
            Experiment.team_id == problem.team_id,
            Experiment.problem_id == problem.id,
            Experiment.deleted_at.is_(None),
        )
        .order_by(Experiment.number)
    ).all()
    measured: list[float | None] = []
    for row in rows:
        row.outcome = outcome.assess(
            row.value,
            baseline=problem.baseline,
            target=problem.target,
            direction=problem.direction,
            best_before=outcome.best(measured, problem.direction),
        ).outcome
        measured.append(row.value)
    session.flush()


def reassess(session: Session, *, team_id: str, number: int) -> None:
    """After a problem's metric changed: bring its experiments' outcomes in line."""
    reassess_problem(session, problem_row(session, team_id=team_id, number=number))


def best_results(
    session: Session, *, team_id: str, problems: Sequence[ProblemRecord]
) -> dict[int, float]:
    """The best measured value of each problem (by number), in its metric's direction."""
    numbers = [p.number for p in problems]
    if not numbers:
        return {}
    rows = session.execute(
        select(Problem.number, func.max(Experiment.value), func.min(Experiment.value))
        .join(Experiment, Experiment.problem_id == Problem.id)
        .where(
            Problem.team_id == team_id,
            Problem.number.in_(numbers),
            Experiment.deleted_at.is_(None),
            Experiment.value.is_not(None),
        )
        .group_by(Problem.number)
    ).all()
    direction = {p.number: p.direction for p in problems}
    return {
        number: high if direction[number] == Direction.HIGHER else low for number, high, low in rows
    }
