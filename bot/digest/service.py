"""The weekly digest: one loader (a few queries bounded by the week and by active problems)
and one pure function that composes what the week's digest says."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from storage.models import (
    Decision,
    DecisionKind,
    Direction,
    ErrorAnalysis,
    Experiment,
    Outcome,
    Problem,
    ProblemStatus,
    Ritual,
    RitualKind,
    RitualRun,
    StandupAnswer,
)

WEEK = timedelta(days=7)
ACTIVE = (ProblemStatus.OPEN, ProblemStatus.IN_DELIVERY)
FAILED = (Outcome.NO_GAIN, Outcome.WORSE, Outcome.BROKEN)
GAINED = (Outcome.IMPROVED, Outcome.MET_TARGET)
STALL_RUN = 3
# Answers that say "no blocker" in the words people actually type.
NO_BLOCKER = {"", "none", "no", "n/a", "na", "nope", "nothing", "-", "—", "no blockers", "nil"}


# What the loader reads: plain values, safe after the session closes.


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
    standup_days: tuple[date, ...]
    answers: tuple[AnswerRow, ...]


def _problem_row(p: Problem) -> ProblemRow:
    return ProblemRow(
        id=p.id,
        number=p.number,
        title=p.title,
        status=p.status,
        owner_id=p.owner_id,
        metric_name=p.metric_name,
        direction=p.direction,
        baseline=p.baseline,
        target=p.target,
        review_on=p.review_on,
        created_at=p.created_at,
        updated_at=p.updated_at,
    )


EXPERIMENT_COLUMNS = (
    Experiment.id,
    Experiment.number,
    Experiment.problem_id,
    Experiment.value,
    Experiment.outcome,
    Experiment.approach,
    Experiment.author_id,
    Experiment.created_at,
)


def _experiments(session: Session, *where: Any) -> tuple[ExperimentRow, ...]:
    rows = session.execute(
        select(*EXPERIMENT_COLUMNS)
        .where(Experiment.deleted_at.is_(None), *where)
        .order_by(Experiment.created_at, Experiment.number)
    )
    return tuple(ExperimentRow(**row._asdict()) for row in rows)


def load(
    session: Session, *, team_id: str, channel_id: str, start: datetime, end: datetime
) -> DigestData:
    """Read one channel's week: what happened in it, and where its active problems stand.

    A channel's problems are those filed in it, plus those filed outside any channel
    (from App Home). Every query is bounded by the week or by the active problems, so
    the cost does not grow with the workspace's history.
    """
    in_channel = or_(Problem.channel_id == channel_id, Problem.channel_id.is_(None))
    problems = {
        p.id: p
        for p in session.scalars(
            select(Problem).where(
                Problem.team_id == team_id,
                Problem.deleted_at.is_(None),
                in_channel,
                or_(
                    Problem.status.in_(ACTIVE),
                    and_(Problem.updated_at >= start, Problem.updated_at < end),
                ),
            )
        )
    }
    active_ids = [p.id for p in problems.values() if p.status in ACTIVE]
    active_history = _experiments(
        session,
        Experiment.team_id == team_id,
        Experiment.problem_id.in_(active_ids),
        Experiment.created_at < end,
    )
    week_experiments = _experiments(
        session,
        Experiment.team_id == team_id,
        Experiment.created_at >= start,
        Experiment.created_at < end,
    )
    decisions = tuple(
        DecisionRow(**row._asdict())
        for row in session.execute(
            select(
                Decision.problem_id,
                Decision.kind,
                Decision.rationale,
                Decision.decided_by,
                Decision.decided_at,
            )
            .where(
                Decision.team_id == team_id,
                Decision.decided_at >= start,
                Decision.decided_at < end,
            )
            .order_by(Decision.decided_at)
        )
    )
    lessons = tuple(
        LessonRow(**row._asdict())
        for row in session.execute(
            select(
                ErrorAnalysis.number.label("analysis_number"),
                Experiment.number.label("experiment_number"),
                Experiment.problem_id,
                ErrorAnalysis.lessons,
                ErrorAnalysis.author_id,
            )
            .join(Experiment, Experiment.id == ErrorAnalysis.experiment_id)
            .where(
                ErrorAnalysis.team_id == team_id,
                ErrorAnalysis.created_at >= start,
                ErrorAnalysis.created_at < end,
                ErrorAnalysis.deleted_at.is_(None),
                Experiment.deleted_at.is_(None),
            )
            .order_by(ErrorAnalysis.created_at)
        )
        if (row.lessons or "").strip()
    )
    # The week's rows may belong to problems neither active nor changed this week; read
    # those problems by id (the week bounds how many), then keep the channel's live ones.
    missing = {row.problem_id for row in (*week_experiments, *decisions, *lessons)}
    missing -= problems.keys()
    if missing:
        problems |= {
            p.id: p
            for p in session.scalars(
                select(Problem).where(
                    Problem.team_id == team_id,
                    Problem.id.in_(missing),
                    Problem.deleted_at.is_(None),
                    in_channel,
                )
            )
        }
    week_experiments = tuple(e for e in week_experiments if e.problem_id in problems)
    decisions = tuple(d for d in decisions if d.problem_id in problems)
    lessons = tuple(lesson for lesson in lessons if lesson.problem_id in problems)
    failed = {e.id for e in (*week_experiments, *active_history) if e.outcome in FAILED}
    analysed = frozenset(
        session.scalars(
            select(ErrorAnalysis.experiment_id).where(
                ErrorAnalysis.team_id == team_id,
                ErrorAnalysis.deleted_at.is_(None),
                ErrorAnalysis.experiment_id.in_(failed),
            )
        )
    )
    runs = session.execute(
        select(RitualRun.id, RitualRun.scheduled_for)
        .join(Ritual, Ritual.id == RitualRun.ritual_id)
        .where(
            Ritual.team_id == team_id,
            Ritual.kind == RitualKind.STANDUP,
            Ritual.channel_id == channel_id,
            RitualRun.scheduled_for >= start,
            RitualRun.scheduled_for < end,
        )
    ).all()
    day_of_run = {run.id: run.scheduled_for.date() for run in runs}
    answers = session.execute(
        select(StandupAnswer.run_id, StandupAnswer.user_id, StandupAnswer.answers)
        .where(StandupAnswer.team_id == team_id, StandupAnswer.run_id.in_(list(day_of_run)))
        .order_by(StandupAnswer.submitted_at)
    )
    return DigestData(
        channel_id=channel_id,
        start=start,
        end=end,
        problems=tuple(_problem_row(p) for p in problems.values()),
        week_experiments=week_experiments,
        active_history=active_history,
        analysed=analysed,
        decisions=decisions,
        lessons=lessons,
        standup_days=tuple(sorted(set(day_of_run.values()))),
        answers=tuple(
            AnswerRow(user_id=a.user_id, day=day_of_run[a.run_id], answers=dict(a.answers or {}))
            for a in answers
        ),
    )


# What the digest says: plain values for the Block Kit builders and the chart.


@dataclass(frozen=True, kw_only=True)
class ProblemRef:
    ref: str
    title: str


@dataclass(frozen=True, kw_only=True)
class ProblemChange:
    problem: ProblemRef
    new: bool
    status: ProblemStatus
    owner_id: str


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
class OwedAnalysis:
    experiment_ref: str
    problem: ProblemRef
    outcome: Outcome
    owner_id: str
    since: datetime


@dataclass(frozen=True, kw_only=True)
class DecisionMade:
    problem: ProblemRef
    kind: DecisionKind
    rationale: str
    decided_by: str


@dataclass(frozen=True, kw_only=True)
class Lesson:
    analysis_ref: str
    experiment_ref: str
    problem: ProblemRef
    text: str
    author_id: str


@dataclass(frozen=True, kw_only=True)
class Participation:
    user_id: str
    days: int


@dataclass(frozen=True, kw_only=True)
class Blocker:
    user_id: str
    day: date
    text: str


@dataclass(frozen=True, kw_only=True)
class Flag:
    """An active problem that needs a decision, and why."""

    problem: ProblemRef
    owner_id: str
    review_on: date | None
    stalled: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Series:
    """One active problem's metric over time, for the chart."""

    problem: ProblemRef
    metric_name: str | None
    direction: Direction
    baseline: float | None
    target: float | None
    points: tuple[tuple[datetime, float], ...]


@dataclass(frozen=True, kw_only=True)
class Digest:
    channel_id: str
    start: datetime
    end: datetime
    changes: tuple[ProblemChange, ...]
    results: tuple[Result, ...]
    best: tuple[Result, ...]
    owed: tuple[OwedAnalysis, ...]
    decisions: tuple[DecisionMade, ...]
    lessons: tuple[Lesson, ...]
    standup_days: int
    participation: tuple[Participation, ...]
    blockers: tuple[Blocker, ...]
    flags: tuple[Flag, ...]
    series: tuple[Series, ...]


def result(experiment: ExperimentRow, problem: ProblemRow) -> Result:
    value, baseline, target = experiment.value, problem.baseline, problem.target
    vs_baseline = None if value is None or baseline is None else value - baseline
    share = None if vs_baseline is None or not baseline else vs_baseline / abs(baseline)
    return Result(
        ref=f"E-{experiment.number}",
        problem=ProblemRef(ref=f"P-{problem.number}", title=problem.title),
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


def is_blocker(text: str) -> bool:
    return text.strip().strip(".!").lower() not in NO_BLOCKER


def compose(data: DigestData) -> Digest:
    """What the week's digest says, from what `load` read. Pure."""
    problems = {p.id: p for p in data.problems}
    refs = {p.id: ProblemRef(ref=f"P-{p.number}", title=p.title) for p in data.problems}
    active = [p for p in sorted(data.problems, key=lambda p: p.number) if p.status in ACTIVE]
    by_problem: dict[int, list[ExperimentRow]] = defaultdict(list)
    for experiment in data.active_history:
        by_problem[experiment.problem_id].append(experiment)

    changes = tuple(
        ProblemChange(
            problem=refs[p.id], new=p.created_at >= data.start, status=p.status, owner_id=p.owner_id
        )
        for p in sorted(data.problems, key=lambda p: p.number)
        if data.start <= p.updated_at < data.end
    )
    owed_rows = {
        e.id: e
        for e in (*data.active_history, *data.week_experiments)
        if e.outcome in FAILED and e.id not in data.analysed
    }
    best = []
    flags = []
    series = []
    end_day = data.end.date()
    for problem in active:
        history = by_problem[problem.id]
        top = _best(history, problem.direction)
        if top is not None:
            best.append(result(top, problem))
        last = history[-STALL_RUN:]
        stalled = (
            tuple(f"E-{e.number}" for e in last)
            if len(last) == STALL_RUN and all(e.outcome not in GAINED for e in last)
            else ()
        )
        overdue = problem.review_on if problem.review_on and problem.review_on <= end_day else None
        if stalled or overdue:
            flags.append(
                Flag(
                    problem=refs[problem.id],
                    owner_id=problem.owner_id,
                    review_on=overdue,
                    stalled=stalled,
                )
            )
        points = tuple((e.created_at, e.value) for e in history if e.value is not None)
        if points:
            series.append(
                Series(
                    problem=refs[problem.id],
                    metric_name=problem.metric_name,
                    direction=problem.direction,
                    baseline=problem.baseline,
                    target=problem.target,
                    points=points,
                )
            )

    days: dict[str, set[date]] = defaultdict(set)
    blockers = []
    for answer in data.answers:
        days[answer.user_id].add(answer.day)
        for question, text in answer.answers.items():
            if "blocker" in question.lower() and is_blocker(text or ""):
                blockers.append(Blocker(user_id=answer.user_id, day=answer.day, text=text.strip()))

    return Digest(
        channel_id=data.channel_id,
        start=data.start,
        end=data.end,
        changes=changes,
        results=tuple(result(e, problems[e.problem_id]) for e in data.week_experiments),
        best=tuple(best),
        owed=tuple(
            OwedAnalysis(
                experiment_ref=f"E-{e.number}",
                problem=refs[e.problem_id],
                outcome=e.outcome,
                owner_id=e.author_id,
                since=e.created_at,
            )
            for e in sorted(owed_rows.values(), key=lambda e: e.number)
        ),
        decisions=tuple(
            DecisionMade(
                problem=refs[d.problem_id],
                kind=d.kind,
                rationale=d.rationale,
                decided_by=d.decided_by,
            )
            for d in data.decisions
        ),
        lessons=tuple(
            Lesson(
                analysis_ref=f"A-{lesson.analysis_number}",
                experiment_ref=f"E-{lesson.experiment_number}",
                problem=refs[lesson.problem_id],
                text=lesson.lessons.strip(),
                author_id=lesson.author_id,
            )
            for lesson in data.lessons
        ),
        standup_days=len(data.standup_days),
        participation=tuple(
            Participation(user_id=user_id, days=len(answered))
            for user_id, answered in sorted(days.items(), key=lambda item: (-len(item[1]), item[0]))
        ),
        blockers=tuple(blockers),
        flags=tuple(flags),
        series=tuple(series),
    )


def week_of(end: datetime) -> tuple[datetime, datetime]:
    """The seven days up to `end`."""
    return end - WEEK, end


def week_ending(session: Session, *, team_id: str, channel_id: str, end: datetime) -> Digest:
    """The digest of the channel's seven days up to `end`."""
    start, end = week_of(end)
    return compose(load(session, team_id=team_id, channel_id=channel_id, start=start, end=end))
