"""Experiments judged against their problem's metric (bot/verdict.py): each new result, and
the stored verdicts kept in line when results or the metric change; each problem's best
result."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import verdict
from bot.metric import judged_by
from bot.plateau import result_of, seeds_of
from bot.problems.service import ProblemRecord
from bot.result import Result, best_of
from bot.verdict import Judgement, judge
from storage import queries
from storage.experiments import Experiment
from storage.problems import Direction, Problem
from storage.trackers import FetchState, RunFetch


def _best_before(session: Session, *, problem: Problem, number: int | None) -> Result | None:
    """The best result logged before E-<number> (before all: None), the earliest of equals."""
    where = [
        Experiment.team_id == problem.team_id,
        Experiment.problem_id == problem.id,
        Experiment.deleted_at.is_(None),
        Experiment.value.is_not(None),
    ]
    if number is not None:
        where.append(Experiment.number < number)
    best = Experiment.value.desc() if problem.direction == Direction.HIGHER else Experiment.value
    row = session.execute(
        select(Experiment.values, Experiment.value, Experiment.eval_size)
        .where(*where)
        .order_by(best, Experiment.number)
        .limit(1)
    ).first()
    if row is None:
        return None
    return result_of(row, metric=judged_by(problem))


def assess(
    session: Session,
    *,
    problem: Problem,
    values: Sequence[float],
    eval_size: int | None,
    number: int | None,
    unread: bool = False,
) -> Judgement:
    """The verdict on these seeds' values, against the best result before E-<number> (before
    all: None); not judged while they are still to be read from the run (`unread`)."""
    if unread and not values:
        return verdict.unread(problem.target)
    return judge(
        values,
        metric=judged_by(problem, eval_size),
        baseline=problem.baseline,
        target=problem.target,
        best_before=_best_before(session, problem=problem, number=number),
    )


def judgements(session: Session, problem: Problem) -> dict[int, Judgement]:
    """The verdict on each of a problem's experiments (by number), each against the best
    result logged before it."""
    return _judged(session, problem, _live(session, problem))


def _live(session: Session, problem: Problem) -> Sequence[Experiment]:
    """A problem's experiments that are not deleted, oldest first."""
    return session.scalars(
        select(Experiment)
        .where(
            Experiment.team_id == problem.team_id,
            Experiment.problem_id == problem.id,
            Experiment.deleted_at.is_(None),
        )
        .order_by(Experiment.number)
    ).all()


def unread_ids(session: Session, *, team_id: str, ids: Sequence[int]) -> set[int]:
    """Which of these experiments wait for their value from a run (or could not read it)."""
    return set(
        session.scalars(
            select(RunFetch.experiment_id).where(
                RunFetch.team_id == team_id,
                RunFetch.experiment_id.in_(ids),
                RunFetch.state != FetchState.FETCHED,
            )
        )
    )


def _judged(session: Session, problem: Problem, rows: Sequence[Experiment]) -> dict[int, Judgement]:
    judged: dict[int, Judgement] = {}
    best: Result | None = None
    waiting = unread_ids(session, team_id=problem.team_id, ids=[row.id for row in rows])
    for row in rows:
        if row.id in waiting and not seeds_of(row):
            judged[row.number] = verdict.unread(problem.target)
            continue
        judged[row.number] = judgement = judge(
            seeds_of(row),
            metric=judged_by(problem, row.eval_size),
            baseline=problem.baseline,
            target=problem.target,
            best_before=best,
        )
        best = best_of([best, judgement.result], problem.direction)
    return judged


def reassess_problem(session: Session, problem: Problem) -> dict[int, Judgement]:
    """Store each experiment's verdict again; the judgements, by number.

    Verdicts are stored so queries can filter on them (owed analyses, digests). They are
    computed, never typed, so recomputing them keeps no version.
    """
    rows = _live(session, problem)
    judged = _judged(session, problem, rows)
    for row in rows:
        row.outcome = judged[row.number].outcome
    session.flush()
    return judged


@contextmanager
def rejudged(session: Session, *, team_id: str, number: int) -> Iterator[list[int]]:
    """Judge P-<number>'s experiments again once the block has changed a result, the metric,
    the baseline or the target. Yields a list that, after the block, holds the numbers of
    the experiments whose judgement changed: what their posted messages say is out of date.
    A problem that is missing or deleted has nothing to judge: the block says why it fails.
    """
    problem = queries.problem_by_number(session, team_id=team_id, number=number)
    if problem is None or problem.deleted_at is not None:
        yield []
        return
    before = judgements(session, problem)
    changed: list[int] = []
    yield changed
    after = reassess_problem(session, problem)
    changed += [number for number, now in after.items() if before.get(number) != now]


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
