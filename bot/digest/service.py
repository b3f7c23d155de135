"""The weekly digest: what one channel's week says, composed from what `week.load` read.
Where each active problem stands and the standups have modules of their own beside this one."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from bot.analyses.ceilings import TopCeiling
from bot.analyses.follow_ups import FollowUpRecord
from bot.digest import participation, standing
from bot.digest.participation import Blocker, Participation
from bot.digest.rows import DecisionRow, DigestData, ExperimentRow
from bot.digest.standing import Flag, ProblemRef, Result, Series
from bot.digest.week import ACTIVE, load, week_of
from bot.standup.blockers import OpenBlocker
from bot.verdict import OWES_ANALYSIS
from bot.watch import service as watching
from bot.watch import standing as production
from storage.experiments import Outcome
from storage.problems import DecisionKind, ProblemStatus


@dataclass(frozen=True, kw_only=True)
class ProblemChange:
    problem: ProblemRef
    new: bool
    status: ProblemStatus
    owner_id: str


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
class ProblemCeiling:
    """The top ceiling of an active problem's latest error analysis."""

    problem: ProblemRef
    top: TopCeiling


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
    ceilings: tuple[ProblemCeiling, ...] = ()
    follow_ups: tuple[FollowUpRecord, ...] = ()  # open two weeks or more
    still_blocked: tuple[OpenBlocker, ...] = ()  # open two standups in a row or more
    in_production: tuple[str, ...] = ()  # a line per model in production (bot.watch.standing)


def compose(data: DigestData) -> Digest:
    """What the week's digest says, from what `week.load` read. Pure."""
    problems = {p.id: p for p in data.problems}
    refs = {p.id: standing.ref(p) for p in data.problems}
    active = [p for p in sorted(data.problems, key=lambda p: p.number) if p.status in ACTIVE]
    by_problem: dict[int, list[ExperimentRow]] = defaultdict(list)
    for experiment in data.active_history:
        by_problem[experiment.problem_id].append(experiment)
    decided: dict[int, list[DecisionRow]] = defaultdict(list)
    for d in data.active_decisions:
        decided[d.problem_id].append(d)
    stands = [
        standing.of(p, by_problem[p.id], end_day=data.end.date(), decisions=decided[p.id])
        for p in active
    ]

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
        if e.outcome in OWES_ANALYSIS and e.id not in data.analysed
    }
    return Digest(
        channel_id=data.channel_id,
        start=data.start,
        end=data.end,
        changes=changes,
        results=tuple(standing.result(e, problems[e.problem_id]) for e in data.week_experiments),
        best=tuple(s.best for s in stands if s.best is not None),
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
        standup_days=len(participation.week_rolls(data.standup_rolls, last=data.end.date())),
        participation=participation.participation(data.standup_rolls, last=data.end.date()),
        blockers=participation.blockers(data.answers),
        flags=tuple(s.flag for s in stands if s.flag is not None),
        series=tuple(s.series for s in stands if s.series is not None),
        ceilings=tuple(
            ProblemCeiling(problem=refs[p.id], top=data.ceilings[p.number])
            for p in active
            if p.number in data.ceilings
        ),
        follow_ups=data.follow_ups,
        still_blocked=data.still_blocked,
    )


def week_ending(session: Session, *, team_id: str, channel_id: str, end: datetime) -> Digest:
    """The digest of the channel's seven days up to `end`."""
    start, end = week_of(end)
    composed = compose(load(session, team_id=team_id, channel_id=channel_id, start=start, end=end))
    watched = [
        log
        for log in watching.watched(session, team_id=team_id)
        if log.problem.channel_id == channel_id
    ]
    return replace(composed, in_production=production.lines(watched, now=end))


def changes_between(
    session: Session, *, team_id: str, channel_id: str, start: datetime, end: datetime
) -> Digest:
    """What changed in the channel from `start` (its last digest) to `end`: the problems,
    experiments, decisions and lessons recorded in between, and of where problems stand
    only what those experiments moved. Standup participation is a week's measure: left out."""
    composed = compose(load(session, team_id=team_id, channel_id=channel_id, start=start, end=end))
    new = {r.ref for r in composed.results}
    moved = {r.problem.ref for r in composed.results}
    return replace(
        composed,
        best=tuple(r for r in composed.best if r.ref in new),
        owed=tuple(o for o in composed.owed if o.experiment_ref in new),
        flags=tuple(f for f in composed.flags if f.problem.ref in moved),
        series=tuple(s for s in composed.series if s.problem.ref in moved),
        ceilings=(),
        standup_days=0,
        participation=(),
        blockers=(),
    )


def anything_new(digest: Digest) -> bool:
    """Whether a digest of what changed has anything to say."""
    return bool(digest.changes or digest.results or digest.decisions or digest.lessons)
