"""Watching shipped models: the plan written with a ship decision, the checks the owner
records, retrains, and what an alert leads to. Services take a session and plain values;
the caller owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import NotFound, UsageError
from bot.problems.service import ProblemRecord
from bot.schedule import local_day
from bot.watch.plan import WatchTerms
from storage.problems import Problem, ProblemStatus
from storage.rituals import Ritual, RitualKind
from storage.types import utcnow
from storage.watch import CheckOutcome, Retrain, WatchCheck, WatchPlan

# The owner's daily look at what is due, at this local time.
WATCH_TIME = time(10, 0)


@dataclass(frozen=True, kw_only=True)
class CheckRecord:
    id: int
    value: float
    shifted: bool
    note: str | None
    outcome: CheckOutcome
    checked_by: str
    checked_at: datetime
    opened_problem: int | None  # the number of the discovery problem opened from it
    read_from: str | None = None  # `MLflow run 0123456789ab (`key`)` when the ritual read it

    @classmethod
    def of(cls, row: WatchCheck, opened: int | None = None) -> CheckRecord:
        return cls(
            id=row.id,
            value=row.value,
            shifted=row.shifted,
            note=row.note,
            outcome=row.outcome,
            checked_by=row.checked_by,
            checked_at=row.checked_at,
            opened_problem=opened,
            read_from=row.read_from,
        )


@dataclass(frozen=True, kw_only=True)
class WatchLog:
    """A problem's plan with every check and retrain, oldest first (the export reads it)."""

    problem: ProblemRecord
    terms: WatchTerms
    owner_id: str
    shipped_at: datetime
    trained_at: datetime
    checks: tuple[CheckRecord, ...]
    retrains: tuple[datetime, ...]


@dataclass(frozen=True, kw_only=True)
class Checked:
    problem: ProblemRecord
    terms: WatchTerms
    check: CheckRecord
    alert: bool
    created: bool


def owner_zone(session: Session, *, team_id: str, user_id: str) -> str:
    """The owner's timezone as a standup roster last read it from Slack, else the timezone
    of one of the workspace's rituals, else UTC."""
    rituals = session.scalars(
        select(Ritual)
        .where(Ritual.team_id == team_id, Ritual.kind != RitualKind.WATCH)
        .order_by(Ritual.id)
    ).all()
    for ritual in rituals:
        if ritual.roster and user_id in ritual.roster:
            return ritual.roster[user_id]
    return rituals[0].timezone if rituals else "UTC"


def start(session: Session, *, problem: Problem, terms: WatchTerms, decided_by: str) -> None:
    """Put `problem` in production under `terms`, and make sure its owner's daily watch
    ritual exists (one per owner: it asks for every check and retrain that is due)."""
    now = utcnow()
    plan = session.scalar(
        select(WatchPlan).where(
            WatchPlan.team_id == problem.team_id, WatchPlan.problem_id == problem.id
        )
    )
    if plan is None:  # a problem shipped again after a reopen keeps its one plan, renewed
        plan = WatchPlan(team_id=problem.team_id, problem_id=problem.id)
        session.add(plan)
    plan.metric_name = terms.metric_name
    plan.shipped_value = terms.shipped_value
    plan.alert_value = terms.alert_value
    plan.alert_relative = terms.alert_relative
    plan.check_every_days = terms.check_every_days
    plan.retrain_every_days = terms.retrain_every_days
    plan.source_run = terms.source.run_id if terms.source else None
    plan.source_key = terms.source.key if terms.source else None
    plan.owner_id = problem.owner_id
    plan.shipped_at = plan.trained_at = now
    plan.created_by = decided_by
    session.flush()
    session.expire(problem, ["watch_plan"])
    problem.status = ProblemStatus.IN_PRODUCTION
    watch_ritual(session, team_id=problem.team_id, owner_id=problem.owner_id)


def watch_ritual(session: Session, *, team_id: str, owner_id: str) -> None:
    """Make sure `owner_id`'s daily watch ritual exists and runs."""
    ritual = session.scalar(
        select(Ritual).where(
            Ritual.team_id == team_id,
            Ritual.kind == RitualKind.WATCH,
            Ritual.channel_id == owner_id,
        )
    )
    if ritual is None:
        session.add(
            Ritual(
                team_id=team_id,
                kind=RitualKind.WATCH,
                channel_id=owner_id,
                weekdays=[1, 2, 3, 4, 5, 6, 7],
                local_time=WATCH_TIME,
                timezone=owner_zone(session, team_id=team_id, user_id=owner_id),
                owner_id=owner_id,
            )
        )
    elif not ritual.enabled:
        ritual.enabled = True


def plan_of(session: Session, *, team_id: str, number: int) -> WatchPlan:
    plan = session.scalar(
        select(WatchPlan)
        .join(Problem, WatchPlan.problem_id == Problem.id)
        .where(
            WatchPlan.team_id == team_id,
            Problem.number == number,
            Problem.deleted_at.is_(None),
        )
    )
    if plan is None:
        raise NotFound(
            f"P-{number} has no watch plan: a problem gets one when it ships "
            f"(`/problem decide P-{number} ship <why>`)."
        )
    return plan


def log_of(session: Session, *, team_id: str, number: int) -> WatchLog | None:
    """P-<number>'s plan, checks and retrains; None when it was never shipped with a plan."""
    try:
        plan = plan_of(session, team_id=team_id, number=number)
    except NotFound:
        return None
    opened = dict(
        session.execute(
            select(WatchCheck.id, Problem.number)
            .join(Problem, WatchCheck.opened_problem_id == Problem.id)
            .where(WatchCheck.team_id == team_id, WatchCheck.plan_id == plan.id)
        ).all()
    )
    retrains = session.scalars(
        select(Retrain.retrained_at)
        .where(Retrain.team_id == team_id, Retrain.plan_id == plan.id)
        .order_by(Retrain.retrained_at)
    ).all()
    return WatchLog(
        problem=ProblemRecord.of(plan.problem),
        terms=WatchTerms.of(plan),
        owner_id=plan.owner_id,
        shipped_at=plan.shipped_at,
        trained_at=plan.trained_at,
        checks=tuple(CheckRecord.of(c, opened.get(c.id)) for c in plan.checks),
        retrains=tuple(retrains),
    )


def watched(session: Session, *, team_id: str, owner_id: str | None = None) -> list[WatchLog]:
    """Every model in production in the workspace (or one owner's), by problem number."""
    query = (
        select(Problem.number)
        .join(WatchPlan, WatchPlan.problem_id == Problem.id)
        .where(
            WatchPlan.team_id == team_id,
            Problem.status == ProblemStatus.IN_PRODUCTION,
            Problem.deleted_at.is_(None),
        )
        .order_by(Problem.number)
    )
    if owner_id is not None:
        query = query.where(WatchPlan.owner_id == owner_id)
    logs = (log_of(session, team_id=team_id, number=n) for n in session.scalars(query))
    return [log for log in logs if log is not None]


def check_due(log: WatchLog, *, zone: str) -> date:
    """The local day the next check is due: a cadence after the last check, or the ship."""
    last = log.checks[-1].checked_at if log.checks else log.shipped_at
    return local_day(last, zone) + timedelta(days=log.terms.check_every_days)


def retrain_due(log: WatchLog, *, zone: str) -> date | None:
    """The local day retraining is due, a cadence after the last retrain (or the ship)."""
    every = log.terms.retrain_every_days
    return local_day(log.trained_at, zone) + timedelta(days=every) if every else None


def in_production(session: Session, *, team_id: str, number: int) -> ProblemRecord:
    """P-<number>, with its watch plan, if it is in production now (to record a check)."""
    return ProblemRecord.of(watched_plan(session, team_id=team_id, number=number).problem)


def watched_plan(session: Session, *, team_id: str, number: int) -> WatchPlan:
    """P-<number>'s plan, if the problem is in production now."""
    plan = plan_of(session, team_id=team_id, number=number)
    if plan.problem.status != ProblemStatus.IN_PRODUCTION:
        raise UsageError(
            f"{plan.problem.ref} is not in production any more: it was reopened. "
            f"Ship it again to watch it: `/problem decide {plan.problem.ref} ship <why>`."
        )
    return plan
