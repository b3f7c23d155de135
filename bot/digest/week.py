"""One channel's week, read: its window, and the problems, experiments, decisions, lessons and
standup answers in it, as plain values safe after the session closes."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from bot.analyses import ceilings, follow_ups
from bot.digest.rows import (
    AnswerRow,
    DecisionRow,
    DigestData,
    ExperimentRow,
    LessonRow,
    ProblemRow,
)
from bot.metric import Metric
from bot.standup import blockers
from bot.standup import participation as standup_participation
from bot.standup.blockers import OpenBlocker
from bot.standup.service import ritual_row_for_channel
from bot.verdict import OWES_ANALYSIS
from storage.analyses import ErrorAnalysis
from storage.experiments import Experiment
from storage.problems import (
    Decision,
    Problem,
    ProblemStatus,
)
from storage.rituals import Ritual, RitualKind, RitualRun, StandupAnswer

WEEK = timedelta(days=7)
# How far back the chart looks: its decisions are read that far, by the (team, time) index.
CHART_LOOKBACK = timedelta(weeks=8)
ACTIVE = (ProblemStatus.OPEN, ProblemStatus.IN_DELIVERY)


def _problem_row(p: Problem) -> ProblemRow:
    """The problem's fields the digest reads, by name: every field of ProblemRow."""
    return ProblemRow(**{f.name: getattr(p, f.name) for f in fields(ProblemRow)})


EXPERIMENT_COLUMNS = (
    Experiment.id,
    Experiment.number,
    Experiment.problem_id,
    Experiment.value,
    Experiment.outcome,
    Experiment.approach,
    Experiment.author_id,
    Experiment.created_at,
    Experiment.values,
    Experiment.eval_size,
)


def _experiments(session: Session, *where: Any) -> tuple[ExperimentRow, ...]:
    rows = session.execute(
        select(*EXPERIMENT_COLUMNS)
        .where(Experiment.deleted_at.is_(None), *where)
        .order_by(Experiment.created_at, Experiment.number)
    )
    return tuple(ExperimentRow(**row._asdict()) for row in rows)


def _decisions(session: Session, *where: Any) -> tuple[DecisionRow, ...]:
    columns = (
        Decision.problem_id,
        Decision.kind,
        Decision.rationale,
        Decision.decided_by,
        Decision.decided_at,
    )
    rows = session.execute(select(*columns).where(*where).order_by(Decision.decided_at))
    return tuple(DecisionRow(**row._asdict()) for row in rows)


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
    active = [p for p in problems.values() if p.status in ACTIVE]
    active_ids = [p.id for p in active]
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
    # One read of the team's decisions by the (team, time) index: the week's, and those on
    # the active problems within the chart's reach.
    recent = _decisions(
        session,
        Decision.team_id == team_id,
        Decision.decided_at >= min(start, end - CHART_LOOKBACK),
        Decision.decided_at < end,
    )
    decisions = tuple(d for d in recent if d.decided_at >= start)
    active_decisions = tuple(
        d for d in recent if d.problem_id in active_ids and d.decided_at >= end - CHART_LOOKBACK
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
    failed = {e.id for e in (*week_experiments, *active_history) if e.outcome in OWES_ANALYSIS}
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
        active_decisions=active_decisions,
        lessons=lessons,
        ceilings=ceilings.latest(
            session, team_id=team_id, metrics={p.number: Metric.of(p) for p in active}
        ),
        follow_ups=follow_ups.open_since(
            session, team_id=team_id, before=end - follow_ups.OVERDUE, problem_ids=active_ids
        ),
        standup_rolls=standup_participation.of_channel(
            session,
            team_id=team_id,
            channel_id=channel_id,
            first=standup_participation.rate_window(end.date())[0],
            last=end.date(),
        ),
        answers=tuple(
            AnswerRow(user_id=a.user_id, day=day_of_run[a.run_id], answers=dict(a.answers or {}))
            for a in answers
        ),
        still_blocked=_still_blocked(session, team_id=team_id, channel_id=channel_id, end=end),
    )


def _still_blocked(
    session: Session, *, team_id: str, channel_id: str, end: datetime
) -> tuple[OpenBlocker, ...]:
    standup = ritual_row_for_channel(session, team_id=team_id, channel_id=channel_id)
    if standup is None:
        return ()
    return blockers.standing(session, team_id=team_id, ritual_ids=[standup.id], on=end.date())


def week_of(end: datetime) -> tuple[datetime, datetime]:
    """The seven days up to `end`."""
    return end - WEEK, end
