"""An error analysis's ceilings (bot/ceilings.py) from what it stores, and the top ceiling of
each problem's latest analysis, read for many problems in two queries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.ceilings import Ceiling, ErrorCeilings, ceilings
from bot.metric import Metric
from storage.analyses import ErrorAnalysis, ErrorCategory
from storage.experiments import Experiment
from storage.problems import Problem


@dataclass(frozen=True, kw_only=True)
class TopCeiling:
    """The highest ceiling of a problem's latest analysis that has one."""

    analysis_number: int
    experiment_number: int
    ceiling: Ceiling
    value: float  # the experiment's result (the mean of its seeds)
    metric: Metric
    examined: int
    rough: bool  # fewer errors examined than give a fair sense of the shares


def of_analysis(
    *,
    value: float | None,
    metric: Metric,
    categories: Sequence[tuple[str, int]],
    sample_size: int | None,
) -> ErrorCeilings | None:
    """The ceilings of an analysis's categories; None when there are none to compute (no
    categories, no value measured, a metric that is not a proportion).

    The sample examined is how many errors were looked at. A sample smaller than a category's
    count (stored before the form refused it) cannot be a count of errors, so then each error
    is taken to be in exactly one category."""
    counted = dict(categories)
    if value is None or not counted or not any(counted.values()):
        return None
    if sample_size is not None and sample_size < max(counted.values()):
        sample_size = None
    try:
        return ceilings(value, metric=metric, categories=counted, examined=sample_size)
    except ValueError:  # a value outside the proportion's range, stored before it was refused
        return None


def latest(
    session: Session, *, team_id: str, metrics: Mapping[int, Metric]
) -> dict[int, TopCeiling]:
    """The top ceiling of each problem's latest analysis with error categories, by problem
    number (`metrics` holds the problems wanted, with their metric)."""
    if not metrics:
        return {}
    # Scoped to the workspace through its problems and read from them down (problem, then
    # experiment, then analysis): an engine without statistics would otherwise pick the
    # team_id index and read every analysis the team ever wrote.
    categorised = (
        select(ErrorCategory.id)
        .where(ErrorCategory.analysis_id == ErrorAnalysis.id, ErrorCategory.count > 0)
        .exists()
    )
    ranked = (
        select(
            ErrorAnalysis.id,
            ErrorAnalysis.number,
            ErrorAnalysis.sample_size,
            Experiment.number.label("experiment_number"),
            Experiment.value,
            Problem.number.label("problem_number"),
            func.row_number()
            .over(
                partition_by=Problem.id,
                order_by=(ErrorAnalysis.created_at.desc(), ErrorAnalysis.number.desc()),
            )
            .label("rank"),
        )
        .join(Experiment, Experiment.id == ErrorAnalysis.experiment_id)
        .join(Problem, Problem.id == Experiment.problem_id)
        .where(
            ErrorAnalysis.deleted_at.is_(None),
            categorised,
            Experiment.team_id == team_id,
            Experiment.deleted_at.is_(None),
            Experiment.value.is_not(None),
            Problem.team_id == team_id,
            Problem.number.in_(list(metrics)),
        )
        .subquery()
    )
    rows = session.execute(select(ranked).where(ranked.c.rank == 1)).all()
    counts: dict[int, list[tuple[str, int]]] = {row.id: [] for row in rows}
    if counts:
        for analysis_id, name, count in session.execute(
            select(ErrorCategory.analysis_id, ErrorCategory.name, ErrorCategory.count)
            .join(ErrorAnalysis, ErrorAnalysis.id == ErrorCategory.analysis_id)
            .where(ErrorAnalysis.team_id == team_id, ErrorCategory.analysis_id.in_(list(counts)))
            .order_by(ErrorCategory.analysis_id, ErrorCategory.position)
        ):
            counts[analysis_id].append((name, count))
    found = {}
    for row in rows:
        metric = metrics[row.problem_number]
        computed = of_analysis(
            value=row.value, metric=metric, categories=counts[row.id], sample_size=row.sample_size
        )
        if computed is not None and computed.top is not None:
            found[row.problem_number] = TopCeiling(
                analysis_number=row.number,
                experiment_number=row.experiment_number,
                ceiling=computed.top,
                value=computed.value,
                metric=metric,
                examined=computed.examined,
                rough=computed.warning is not None,
            )
    return found
