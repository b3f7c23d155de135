"""Decisions on a problem, on the record: continue, pivot, cut losses, or ship; and
reopening a problem that was dropped or shipped."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import permissions
from bot.errors import NotFound, UsageError, ValidationFailed
from bot.experiments import outcomes
from bot.problems.service import ProblemRecord
from bot.watch import plan, sources
from bot.watch import service as watching
from bot.watch.plan import WatchDraft
from storage import queries
from storage.problems import Decision, DecisionKind, Problem, ProblemStatus
from storage.types import utcnow

RATIONALE_MAX = 3000
# Cutting losses and shipping end the work on a problem; a shipped model is watched.
CLOSES = {DecisionKind.CUT: ProblemStatus.DROPPED, DecisionKind.SHIP: ProblemStatus.IN_PRODUCTION}
# How a closed problem was closed, in words: in production is shipped, and watched; shipped
# alone is from before watch plans.
CLOSED_AS = {
    ProblemStatus.DROPPED: "dropped",
    ProblemStatus.IN_PRODUCTION: "shipped",
    ProblemStatus.SHIPPED: "shipped",
}
CLOSED = tuple(CLOSED_AS)
# Reopening takes the work up again as an open problem: the one status a problem has
# before it is closed (its track says discovery or delivery).
STATUS_AFTER = {**CLOSES, DecisionKind.REOPEN: ProblemStatus.OPEN}
# What can be decided on an open problem.
KINDS = ", ".join(k.value for k in DecisionKind if k is not DecisionKind.REOPEN)
DECIDE_EXAMPLE = "/problem decide P-12 cut no gain after 4 experiments"


@dataclass(frozen=True, kw_only=True)
class DecisionRecord:
    problem_number: int
    problem_title: str
    kind: DecisionKind
    rationale: str
    decided_by: str
    decided_at: datetime

    @property
    def problem_ref(self) -> str:
        return f"P-{self.problem_number}"

    @classmethod
    def of(cls, row: Decision) -> DecisionRecord:
        return cls(
            problem_number=row.problem.number,
            problem_title=row.problem.title,
            kind=row.kind,
            rationale=row.rationale,
            decided_by=row.decided_by,
            decided_at=row.decided_at,
        )


@dataclass(frozen=True, kw_only=True)
class Decided:
    decision: DecisionRecord
    problem: ProblemRecord
    created: bool


def kind_of(text: str) -> DecisionKind:
    """`cut` (or `cut-losses`) → DecisionKind.CUT; anything else is a usage error."""
    word = text.strip().lower().removesuffix("-losses").removesuffix("_losses")
    try:
        return DecisionKind(word)
    except ValueError:
        raise UsageError(
            f"'{text[:20]}' is not a decision. Decide one of: {KINDS}, e.g. "
            "`/problem decide P-12 pivot recall plateaued; try a retrieval model`."
        ) from None


def check_rationale(
    text: str | None, *, field: str | None = None, example: str = DECIDE_EXAMPLE
) -> str:
    """The rationale, required: a decision without its why teaches nothing."""
    rationale = (text or "").strip()
    problem = None
    if not rationale:
        problem = "Say why, in a sentence: the evidence the team decided on."
    elif len(rationale) > RATIONALE_MAX:
        problem = f"Keep the rationale under {RATIONALE_MAX} characters (it has {len(rationale)})."
    if problem is None:
        return rationale
    if field:
        raise ValidationFailed({field: problem})
    raise UsageError(f"{problem} Example: `{example}`.")


def _by_source(session: Session, *, team_id: str, source_key: str) -> Decision | None:
    return session.scalar(
        select(Decision).where(Decision.team_id == team_id, Decision.source_key == source_key)
    )


def _problem(session: Session, *, team_id: str, number: int, actor: permissions.Actor) -> Problem:
    """The problem, if it is in this workspace and the actor may decide on it."""
    problem = queries.problem_by_number(session, team_id=team_id, number=number)
    if problem is None or problem.deleted_at is not None:
        raise NotFound(
            f"There is no problem P-{number} in this workspace. "
            "Type `/problem list` to see the open problems and their ids."
        )
    permissions.check_decider(
        actor, ref=problem.ref, author_id=problem.created_by, owner_id=problem.owner_id
    )
    return problem


def _may_take(problem: Problem, kind: DecisionKind) -> None:
    """A closed problem can only be reopened, and only a closed one can."""
    closed = problem.status in CLOSED
    if closed and kind is not DecisionKind.REOPEN:
        raise UsageError(
            f"{problem.ref} is already {CLOSED_AS[problem.status]}: there is nothing left to decide. "
            f"If the work starts again, reopen it: `/problem reopen {problem.ref} <why>`."
        )
    if not closed and kind is DecisionKind.REOPEN:
        raise UsageError(
            f"{problem.ref} is still open: only a dropped or shipped problem can be reopened. "
            f"To decide on it, type `/problem decide {problem.ref} continue|pivot|cut|ship <why>`."
        )


def decidable(
    session: Session, *, team_id: str, number: int, actor: permissions.Actor, kind: DecisionKind
) -> ProblemRecord:
    """The problem, if the actor may take decision `kind` on it now (to open the form)."""
    problem = _problem(session, team_id=team_id, number=number, actor=actor)
    _may_take(problem, kind)
    return ProblemRecord.of(problem)


def decide(
    session: Session,
    *,
    team_id: str,
    actor: permissions.Actor,
    number: int,
    kind: DecisionKind,
    rationale: str,
    source_key: str | None = None,
    watch: WatchDraft | None = None,
    fields: bool = False,
) -> Decided:
    """Record the actor's decision; cut closes the problem as dropped, ship puts it in
    production under its watch plan (`watch`, checked per form field when `fields`), and
    reopen opens a closed one again."""
    problem = _problem(session, team_id=team_id, number=number, actor=actor)
    if source_key is not None:
        existing = _by_source(session, team_id=team_id, source_key=source_key)
        if existing is not None:
            return Decided(
                decision=DecisionRecord.of(existing),
                problem=ProblemRecord.of(existing.problem),
                created=False,
            )
    queries.lock(session, problem)
    _may_take(problem, kind)
    terms = None
    if kind is DecisionKind.SHIP:
        shipped = ProblemRecord.of(problem)
        best = outcomes.best_results(session, team_id=team_id, problems=[shipped])
        draft = watch or WatchDraft()
        terms = plan.terms(
            draft,
            metric=problem.metric_name,
            best=best.get(problem.number, problem.target),
            fields=fields,
        )
        source = sources.checked(
            session,
            team_id=team_id,
            run=draft.run,
            key=draft.key,
            default_key=problem.metric_key or terms.metric_name,
            fields=fields,
            example=plan.WATCH_EXAMPLE + " run=<run id or link> key=val/recall",
        )
        terms = replace(terms, source=source)
    try:
        with session.begin_nested():
            row = Decision(
                team_id=team_id,
                problem=problem,
                kind=kind,
                rationale=rationale,
                decided_by=actor.user_id,
                decided_at=utcnow(),
                source_key=source_key,
            )
            session.add(row)
            if kind in STATUS_AFTER:
                problem.status = STATUS_AFTER[kind]
            if terms is not None:
                watching.start(session, problem=problem, terms=terms, decided_by=actor.user_id)
            session.flush()
    except IntegrityError:
        existing = _by_source(session, team_id=team_id, source_key=source_key or "")
        if existing is None:
            raise
        return Decided(
            decision=DecisionRecord.of(existing),
            problem=ProblemRecord.of(existing.problem),
            created=False,
        )
    return Decided(decision=DecisionRecord.of(row), problem=ProblemRecord.of(problem), created=True)


def recent(session: Session, *, team_id: str, limit: int = 5) -> tuple[DecisionRecord, ...]:
    """The workspace's latest decisions on problems that still exist, newest first."""
    rows = session.scalars(
        select(Decision)
        .join(Problem, Decision.problem_id == Problem.id)
        .where(Decision.team_id == team_id, Problem.deleted_at.is_(None))
        .order_by(Decision.decided_at.desc(), Decision.id.desc())
        .limit(limit)
    ).all()
    return tuple(DecisionRecord.of(r) for r in rows)


def of_problem(session: Session, *, team_id: str, number: int) -> tuple[DecisionRecord, ...]:
    """Every decision taken on a problem, oldest first."""
    rows = session.scalars(
        select(Decision)
        .join(Problem, Decision.problem_id == Problem.id)
        .where(Decision.team_id == team_id, Problem.number == number)
        .order_by(Decision.decided_at, Decision.id)
    ).all()
    return tuple(DecisionRecord.of(r) for r in rows)
