"""The App Home board: open problems with their progress, owed analyses and follow-ups,
recent decisions, and the next scheduled rituals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import plateau, rituals
from bot.analyses import ceilings, follow_ups
from bot.analyses.ceilings import TopCeiling
from bot.analyses.follow_ups import FollowUpRecord
from bot.decisions import service as decisions
from bot.decisions.service import DecisionRecord
from bot.experiments import lists as experiment_lists
from bot.experiments import outcomes
from bot.experiments.service import ExperimentRecord
from bot.metric import Metric
from bot.problems import lists as problem_lists
from bot.problems.service import ProblemRecord
from bot.returns import DiminishingReturns
from bot.schedule import next_occurrence
from bot.watch import service as watching
from bot.watch import standing
from storage.problems import Track
from storage.rituals import Ritual, RitualKind
from storage.types import utcnow

RITUALS_SHOWN = 10


@dataclass(frozen=True, kw_only=True)
class Upcoming:
    """A ritual's next occurrence: the standup's prompts, or the digest's post."""

    kind: RitualKind
    channel_id: str
    at: datetime


@dataclass(frozen=True, kw_only=True)
class Board:
    """What the board shows one viewer."""

    problems: Mapping[Track, tuple[ProblemRecord, ...]]
    best: Mapping[int, float] = field(default_factory=dict)  # problem number → best value
    # By problem number: the top ceiling of its latest error analysis, and the evidence that
    # its last experiments no longer move its best result.
    ceilings: Mapping[int, TopCeiling] = field(default_factory=dict)
    plateaus: Mapping[int, DiminishingReturns] = field(default_factory=dict)
    owed: tuple[ExperimentRecord, ...] = ()  # the viewer's failed experiments without analysis
    follow_ups: tuple[FollowUpRecord, ...] = ()  # the viewer's open follow-ups, oldest first
    decisions: tuple[DecisionRecord, ...] = ()
    rituals: tuple[Upcoming, ...] = ()
    in_production: tuple[str, ...] = ()  # a line per model in production (bot.watch.standing)


def upcoming_rituals(session: Session, *, team_id: str, now: datetime) -> tuple[Upcoming, ...]:
    """The workspace's enabled channel rituals by when they next start (a standup's first
    prompt); the owners' watch rituals show in the board's In production section instead."""
    rows = session.scalars(
        select(Ritual).where(
            Ritual.team_id == team_id,
            Ritual.enabled.is_(True),
            Ritual.kind != RitualKind.WATCH,
        )
    ).all()
    upcoming = []
    for ritual in rows:
        plan = rituals.plan_for(ritual)
        first = next_occurrence(replace(plan, steps=plan.steps[:1]), now)
        if first is not None:
            upcoming.append(Upcoming(kind=ritual.kind, channel_id=ritual.channel_id, at=first.at))
    return tuple(sorted(upcoming, key=lambda u: u.at)[:RITUALS_SHOWN])


def for_viewer(session: Session, *, team_id: str, user_id: str) -> Board:
    by_track = problem_lists.open_by_track(session, team_id=team_id)
    shown = [p for track in by_track.values() for p in track]
    metrics = {p.number: Metric.of(p) for p in shown}
    return Board(
        problems=by_track,
        best=outcomes.best_results(session, team_id=team_id, problems=shown),
        ceilings=ceilings.latest(session, team_id=team_id, metrics=metrics),
        plateaus=plateau.plateaus(
            session,
            team_id=team_id,
            problems={p.number: (metrics[p.number], p.baseline) for p in shown},
        ),
        owed=experiment_lists.owed_analyses(session, team_id=team_id, user_id=user_id),
        follow_ups=follow_ups.open_for(session, team_id=team_id, user_id=user_id),
        decisions=decisions.recent(session, team_id=team_id),
        rituals=upcoming_rituals(session, team_id=team_id, now=utcnow()),
        in_production=standing.lines(watching.watched(session, team_id=team_id), now=utcnow()),
    )
