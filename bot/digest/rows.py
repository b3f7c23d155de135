"""The rows the digest of one channel's week is made from, read by `week.load`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.analyses.ceilings import TopCeiling
from bot.analyses.follow_ups import FollowUpRecord
from bot.standup.blockers import OpenBlocker
from bot.standup.participation import DayRoll
from storage.experiments import Outcome
from storage.problems import DecisionKind, Direction, MetricKind, ProblemStatus


@dataclass(frozen=True, kw_only=True)
class ProblemRow:
    id: int
    number: int
    title: str
    status: ProblemStatus
    owner_id: str
    metric_name: str | None
    direction: Direction
    baseline: float | None
    target: float | None
    review_on: date | None
    created_at: datetime
    updated_at: datetime
    metric_kind: MetricKind | None = None
    metric_low: float | None = None
    metric_high: float | None = None
    eval_size: int | None = None


@dataclass(frozen=True, kw_only=True)
class ExperimentRow:
    id: int
    number: int
    problem_id: int
    value: float | None
    outcome: Outcome
    approach: str | None
    author_id: str
    created_at: datetime
    values: Any = ()  # one per seed, as stored (bot.plateau reads it)
    eval_size: int | None = None


@dataclass(frozen=True, kw_only=True)
class DecisionRow:
    problem_id: int
    kind: DecisionKind
    rationale: str
    decided_by: str
    decided_at: datetime


@dataclass(frozen=True, kw_only=True)
class LessonRow:
    analysis_number: int
    experiment_number: int
    problem_id: int
    lessons: str
    author_id: str


@dataclass(frozen=True, kw_only=True)
class AnswerRow:
    user_id: str
    day: date
    answers: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class DigestData:
    """Everything the digest of one channel's week is made from."""

    channel_id: str
    start: datetime
    end: datetime
    problems: tuple[ProblemRow, ...]
    week_experiments: tuple[ExperimentRow, ...]
    # Every experiment of the active problems, oldest first: best so far, stalls, the chart.
    active_history: tuple[ExperimentRow, ...]
    analysed: frozenset[int]
    decisions: tuple[DecisionRow, ...]
    lessons: tuple[LessonRow, ...]
    answers: tuple[AnswerRow, ...]
    # The channel's standup days over the four weeks up to `end`: the week's participation
    # and each person's response rate.
    standup_rolls: tuple[DayRoll, ...] = ()
    # The top ceiling of each active problem's latest error analysis, by problem number.
    ceilings: Mapping[int, TopCeiling] = field(default_factory=dict)
    follow_ups: tuple[FollowUpRecord, ...] = ()  # of active problems, open two weeks or more
    # The decisions on the active problems in the chart's reach, oldest first.
    active_decisions: tuple[DecisionRow, ...] = ()
    # The channel's standup blockers open two standups in a row or more, at `end`.
    still_blocked: tuple[OpenBlocker, ...] = ()
