"""A check of a model in production, and the answers to its alert: retrain, keep
watching, or open a discovery problem from what production taught."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import permissions
from bot.errors import NotFound, UsageError
from bot.problems import service as problems
from bot.problems.draft import ProblemDraft
from bot.problems.service import ProblemRecord, Saved
from bot.watch.plan import WatchTerms
from bot.watch.service import Checked, CheckRecord, WatchLog, log_of, plan_of, watched_plan
from storage import queries
from storage.types import utcnow
from storage.watch import CheckOutcome, Retrain, WatchCheck

NOTE_MAX = 1000
TITLE_MAX = 200
ANSWERED = {
    CheckOutcome.KEPT: "the team keeps watching",
    CheckOutcome.RETRAINED: "the model was retrained",
    CheckOutcome.REOPENED: "a problem was opened from it",
}


def record_check(
    session: Session,
    *,
    team_id: str,
    number: int,
    actor: permissions.Actor,
    value: float,
    shifted: bool,
    note: str | None,
    source_key: str,
    read_from: str | None = None,
) -> Checked:
    """Record a check of P-<number>'s production value (typed, or read `read_from` a run by
    the ritual): an alert when the value is past the threshold or the input data has shifted."""
    plan = watched_plan(session, team_id=team_id, number=number)
    problem = plan.problem
    permissions.check(
        actor,
        ref=problem.ref,
        author_id=problem.created_by,
        owner_id=plan.owner_id,
        verb="record a check of",
    )
    existing = session.scalar(
        select(WatchCheck).where(WatchCheck.team_id == team_id, WatchCheck.source_key == source_key)
    )
    terms = WatchTerms.of(plan)
    if existing is None:
        alert = shifted or terms.past(value, problem.direction)
        row = WatchCheck(
            team_id=team_id,
            plan_id=plan.id,
            value=value,
            shifted=shifted,
            note=(note or "").strip()[:NOTE_MAX] or None,
            outcome=CheckOutcome.ALERT if alert else CheckOutcome.WITHIN,
            checked_by=actor.user_id,
            checked_at=utcnow(),
            source_key=source_key,
            read_from=read_from,
        )
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
            session.expire(plan, ["checks"])
        except IntegrityError:
            existing = session.scalar(
                select(WatchCheck).where(
                    WatchCheck.team_id == team_id, WatchCheck.source_key == source_key
                )
            )
            if existing is None:
                raise
    found = existing or row
    return Checked(
        problem=ProblemRecord.of(problem),
        terms=terms,
        check=CheckRecord.of(found),
        alert=found.outcome is not CheckOutcome.WITHIN,
        created=existing is None,
    )


def _alerted(
    session: Session, *, team_id: str, check_id: int, actor: permissions.Actor
) -> WatchCheck:
    """The check behind an alert's button, if the actor may answer it and nobody has."""
    check = session.scalar(
        select(WatchCheck).where(WatchCheck.team_id == team_id, WatchCheck.id == check_id)
    )
    if check is None or check.plan.problem.deleted_at is not None:
        raise NotFound("That check is no longer on record: its problem was deleted.")
    problem = check.plan.problem
    permissions.check(
        actor,
        ref=problem.ref,
        author_id=problem.created_by,
        owner_id=check.plan.owner_id,
        verb="answer the alert on",
    )
    if check.outcome in ANSWERED:
        raise UsageError(
            f"This alert on {problem.ref} was already answered: {ANSWERED[check.outcome]}."
        )
    return check


def retrain(
    session: Session, *, team_id: str, check_id: int | None, number: int, actor: permissions.Actor
) -> WatchLog:
    """A retrain on the record; the retraining cadence counts from now."""
    if check_id is not None:
        check = _alerted(session, team_id=team_id, check_id=check_id, actor=actor)
        check.outcome = CheckOutcome.RETRAINED
        plan = check.plan
    else:
        plan = plan_of(session, team_id=team_id, number=number)
        permissions.check(
            actor,
            ref=plan.problem.ref,
            author_id=plan.problem.created_by,
            owner_id=plan.owner_id,
            verb="retrain",
        )
    now = utcnow()
    session.add(
        Retrain(team_id=team_id, plan_id=plan.id, retrained_by=actor.user_id, retrained_at=now)
    )
    plan.trained_at = now
    session.flush()
    log = log_of(session, team_id=team_id, number=plan.problem.number)
    assert log is not None
    return log


def keep_watching(
    session: Session, *, team_id: str, check_id: int, actor: permissions.Actor
) -> ProblemRecord:
    check = _alerted(session, team_id=team_id, check_id=check_id, actor=actor)
    check.outcome = CheckOutcome.KEPT
    return ProblemRecord.of(check.plan.problem)


def open_problem(
    session: Session, *, team_id: str, check_id: int, actor: permissions.Actor, source_key: str
) -> tuple[ProblemRecord, Saved]:
    """A new discovery problem from an alert, prefilled from the shipped problem and linked
    to it, so what production taught goes back to discovery: (the shipped one, the new one)."""
    check = _alerted(session, team_id=team_id, check_id=check_id, actor=actor)
    shipped = check.plan.problem
    terms = WatchTerms.of(check.plan)
    said = [f"{terms.metric_name} read {check.value:g} in production"]
    said.append(f"against {terms.shipped_value:g} at ship")
    if check.shifted:
        said.append("and the input data has shifted")
    statement = " ".join(said) + (f": {check.note}" if check.note else ".")
    draft = ProblemDraft(
        title=f"{shipped.title} (production)"[:TITLE_MAX],
        statement=statement,
        metric_name=terms.metric_name,
        metric_definition=shipped.metric_definition,
        direction=shipped.direction.value,
        baseline=f"{check.value:g}",
        target=f"{terms.shipped_value:g}",
        data_sources=shipped.data_sources,
        prior_work=f"{shipped.ref}, in production (the model this alert is about)",
        owner_id=check.plan.owner_id,
    )
    saved = problems.create(
        session,
        team_id=team_id,
        user_id=actor.user_id,
        channel_id=shipped.channel_id,
        draft=draft,
        source_key=source_key,
    )
    opened = queries.problem_by_number(session, team_id=team_id, number=saved.problem.number)
    assert opened is not None
    check.outcome = CheckOutcome.REOPENED
    check.opened_problem_id = opened.id
    return ProblemRecord.of(shipped), saved
