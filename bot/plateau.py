"""Diminishing returns of a problem (bot/returns.py) from its stored experiments, and of many
problems read in one query.

An experiment's result is the mean of its seeds' values (a row written with a value alone has
that one), with the noise of the problem's metric, on the experiment's own evaluation set size
when it gave one. A broken run, or values that are not finite numbers, is no result.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from bot.metric import Metric
from bot.result import Result
from bot.returns import DiminishingReturns, diminishing_returns
from storage.experiments import Experiment
from storage.problems import Problem


class Measured(Protocol):
    """What an experiment stores of its result (a row, or a digest's plain copy of one)."""

    @property
    def value(self) -> float | None: ...
    @property
    def values(self) -> Any: ...  # one per seed, as stored: anything but a list is unreadable
    @property
    def eval_size(self) -> int | None: ...


def seeds_of(experiment: Measured) -> tuple[float, ...]:
    """Each seed's value (a row written with a value alone has that one); none for a broken
    run or values that cannot be read."""
    values, value = experiment.values, experiment.value
    seeds = values if isinstance(values, list) and values else [] if value is None else [value]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in seeds):
        return ()
    if not all(math.isfinite(v) for v in seeds):
        return ()
    return tuple(seeds)


def result_of(experiment: Measured, *, metric: Metric | None) -> Result | None:
    """One experiment's result, with the noise its own evaluation set gives; None for a
    broken run or values that cannot be read."""
    seeds = seeds_of(experiment)
    if not seeds:
        return None
    return Result.of(seeds, None if metric is None else metric.on(experiment.eval_size))


def plateau(
    experiments: Sequence[Measured], *, metric: Metric, baseline: float | None
) -> DiminishingReturns | None:
    """Whether the last experiments (in the order logged) no longer move the best result
    beyond noise, the baseline starting the best-so-far curve when there is one."""
    start = None
    if baseline is not None and math.isfinite(baseline):
        start = Result.of([baseline], metric)
    return diminishing_returns(
        [result_of(e, metric=metric) for e in experiments],
        direction=metric.direction,
        baseline=start,
    )


def plateaus(
    session: Session,
    *,
    team_id: str,
    problems: Mapping[int, tuple[Metric, float | None]],
) -> dict[int, DiminishingReturns]:
    """The problems (by number, with their metric and baseline) whose returns diminish, with
    the evidence; their experiments are read in one query."""
    if not problems:
        return {}
    rows = session.execute(
        select(
            Problem.number,
            Experiment.value,
            Experiment.values,
            Experiment.eval_size,
        )
        .join(Problem, Problem.id == Experiment.problem_id)
        # Scoped to the workspace through its problems, so the experiments are found by
        # problem: an engine without statistics would otherwise read every one of the team's.
        .where(
            Problem.team_id == team_id,
            Problem.number.in_(list(problems)),
            Experiment.deleted_at.is_(None),
        )
        .order_by(Problem.number, Experiment.created_at, Experiment.number)
    )
    logged: dict[int, list[Row[Any]]] = defaultdict(list)
    for row in rows:
        logged[row.number].append(row)
    found = {}
    for number, experiments in logged.items():
        metric, baseline = problems[number]
        if flat := plateau(experiments, metric=metric, baseline=baseline):
            found[number] = flat
    return found
