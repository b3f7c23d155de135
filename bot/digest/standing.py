"""Where an active problem stands: results against baseline and target, its best so far, a
flag when it needs a decision, and its metric over time for the chart. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot import plateau
from bot.digest.rows import DecisionRow, ExperimentRow, ProblemRow
from bot.metric import Metric
from storage.experiments import Outcome
from storage.problems import DecisionKind, Direction


@dataclass(frozen=True, kw_only=True)
class ProblemRef:
    ref: str
    title: str


@dataclass(frozen=True, kw_only=True)
class Result:
    """An experiment's value against its problem's baseline and target."""

    ref: str
    problem: ProblemRef
    approach: str | None
    metric_name: str | None
    value: float | None
    outcome: Outcome
    baseline: float | None
    target: float | None
    # value - baseline, and that as a share of the baseline (None when it is 0 or unknown).
    vs_baseline: float | None
    vs_baseline_share: float | None
    # value - target.
    vs_target: float | None
    direction: Direction
    author_id: str


@dataclass(frozen=True, kw_only=True)
class Flag:
    """An active problem that needs a decision, and why."""

    problem: ProblemRef
    number: int  # the problem's, for the decision buttons
    owner_id: str
    review_on: date | None
    # Diminishing returns: the evidence, and the experiments that left the best where it was.
    plateau: str | None
    stalled: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Point:
    """An experiment's value on the chart, named by its id."""

    at: datetime
    value: float
    ref: str  # E-12


@dataclass(frozen=True, kw_only=True)
class Mark:
    """A decision on the chart: its kind, and when."""

    at: datetime
    kind: DecisionKind


@dataclass(frozen=True, kw_only=True)
class Series:
    """One active problem's metric over time, and its decisions, for the chart."""

    problem: ProblemRef
    metric_name: str | None
    direction: Direction
    baseline: float | None
    target: float | None
    points: tuple[Point, ...]
    decisions: tuple[Mark, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Standing:
    """An active problem's best result, its flag and its series; None where it has none."""

    best: Result | None
    flag: Flag | None
    series: Series | None


def ref(problem: ProblemRow) -> ProblemRef:
    return ProblemRef(ref=f"P-{problem.number}", title=problem.title)


def result(experiment: ExperimentRow, problem: ProblemRow) -> Result:
    value, baseline, target = experiment.value, problem.baseline, problem.target
    vs_baseline = None if value is None or baseline is None else value - baseline
    share = None if vs_baseline is None or not baseline else vs_baseline / abs(baseline)
    return Result(
        ref=f"E-{experiment.number}",
        problem=ref(problem),
        approach=experiment.approach,
        metric_name=problem.metric_name,
        value=value,
        outcome=experiment.outcome,
        baseline=baseline,
        target=target,
        vs_baseline=vs_baseline,
        vs_baseline_share=share,
        vs_target=None if value is None or target is None else value - target,
        direction=problem.direction,
        author_id=experiment.author_id,
    )


def _best(history: list[ExperimentRow], direction: Direction) -> ExperimentRow | None:
    measured = [e for e in history if e.value is not None and e.outcome != Outcome.BROKEN]
    if not measured:
        return None
    sign = 1 if direction == Direction.HIGHER else -1
    # The earliest experiment to reach the best value gets the credit.
    return max(measured, key=lambda e: (sign * (e.value or 0.0), -e.created_at.timestamp()))


def _flag(problem: ProblemRow, history: list[ExperimentRow], *, end_day: date) -> Flag | None:
    flat = plateau.plateau(history, metric=Metric.of(problem), baseline=problem.baseline)
    overdue = problem.review_on if problem.review_on and problem.review_on <= end_day else None
    if not (flat or overdue):
        return None
    return Flag(
        problem=ref(problem),
        number=problem.number,
        owner_id=problem.owner_id,
        review_on=overdue,
        plateau=None if flat is None else flat.evidence,
        stalled=()
        if flat is None
        else tuple(f"E-{e.number}" for e in history[-flat.experiments :]),
    )


def _series(
    problem: ProblemRow, history: list[ExperimentRow], decisions: list[DecisionRow]
) -> Series | None:
    points = tuple(
        Point(at=e.created_at, value=e.value, ref=f"E-{e.number}")
        for e in history
        if e.value is not None
    )
    if not points:
        return None
    return Series(
        problem=ref(problem),
        metric_name=problem.metric_name,
        direction=problem.direction,
        baseline=problem.baseline,
        target=problem.target,
        points=points,
        decisions=tuple(Mark(at=d.decided_at, kind=d.kind) for d in decisions),
    )


def of(
    problem: ProblemRow,
    history: list[ExperimentRow],
    *,
    end_day: date,
    decisions: list[DecisionRow] | None = None,
) -> Standing:
    """Where `problem` stands after `history` (its experiments, oldest first) and its
    `decisions` (oldest first) on `end_day`."""
    top = _best(history, problem.direction)
    return Standing(
        best=None if top is None else result(top, problem),
        flag=_flag(problem, history, end_day=end_day),
        series=_series(problem, history, decisions or []),
    )
