"""Problem statements: the discovery track's record, stored, read, changed, deleted and
restored. The draft's checks and the lists have modules of their own beside this one.
Services take a session and plain values."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot import permissions
from bot.errors import NotFound
from bot.history import service as history
from bot.problems.draft import ProblemDraft, check
from bot.watch.plan import WatchTerms
from storage import queries
from storage.problems import Direction, MetricKind, Problem, ProblemStatus, Track
from storage.types import utcnow

ACTIVE = (ProblemStatus.OPEN, ProblemStatus.IN_DELIVERY)


@dataclass(frozen=True, kw_only=True)
class ProblemRecord:
    """A stored problem as plain values, safe to use after the session has closed."""

    team_id: str
    number: int
    title: str
    statement: str | None
    user_value: str | None
    feasibility: str | None
    metric_name: str | None
    metric_definition: str | None
    direction: Direction
    # What values the metric takes; None when not said (see bot.metric).
    metric_kind: MetricKind | None = None
    metric_low: float | None = None
    metric_high: float | None = None
    eval_size: int | None = None
    baseline: float | None
    target: float | None
    guardrails: str | None
    data_sources: str | None
    prior_work: str | None
    track: Track
    status: ProblemStatus
    owner_id: str
    created_by: str
    channel_id: str | None
    review_on: date | None
    kill_criteria: str | None
    source_permalink: str | None
    card_channel: str | None
    card_ts: str | None
    created_at: datetime
    canvas_id: str | None = None
    canvas_error: str | None = None
    decisions: tuple[str, ...] = field(default=())
    # How a problem in production is watched (storage.watch); None for any other.
    watch: WatchTerms | None = None

    @property
    def ref(self) -> str:
        return f"P-{self.number}"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @classmethod
    def of(cls, row: Problem) -> ProblemRecord:
        watch = None
        if row.status == ProblemStatus.IN_PRODUCTION and row.watch_plan is not None:
            watch = WatchTerms.of(row.watch_plan)
        return cls(**{name: getattr(row, name) for name in _STORED}, watch=watch)

    @classmethod
    def of_values(cls, values: dict[str, object]) -> ProblemRecord:
        """The record of a row just inserted from these column values."""
        return cls(**{name: values[name] for name in _STORED})  # type: ignore[arg-type]


_STORED = tuple(f.name for f in fields(ProblemRecord) if f.name not in ("decisions", "watch"))


@dataclass(frozen=True, kw_only=True)
class Saved:
    problem: ProblemRecord
    created: bool


def create(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    channel_id: str | None,
    draft: ProblemDraft,
    source_key: str | None = None,
    source_permalink: str | None = None,
) -> Saved:
    """Store a new problem, or return the one this same Slack request already stored. Its
    card goes in the outbox (jobs.messages.card) in the same transaction."""
    values = check(draft)
    values.setdefault("owner_id", user_id)
    now = utcnow()
    row: dict[str, object] = {
        **values,
        "team_id": team_id,
        "created_by": user_id,
        "channel_id": channel_id,
        "status": ProblemStatus.OPEN,
        "source_key": source_key,
        "source_permalink": source_permalink,
        "card_channel": None,
        "card_ts": None,
        "canvas_id": None,
        "canvas_error": None,
        "created_at": now,
        "updated_at": now,
        "deleted_at": None,
        "deleted_by": None,
    }
    number = queries.add_numbered(session, Problem.__table__, row, kind="P")
    if number is None:
        # The same Slack request, delivered again (or twice at once): its row is the answer.
        existing = queries.problem_by_source(session, team_id=team_id, source_key=source_key or "")
        assert existing is not None  # the conflict was on this very key
        return Saved(problem=ProblemRecord.of(existing), created=False)
    return Saved(problem=ProblemRecord.of_values({**row, "number": number}), created=True)


KIND = "problem"


def _get(session: Session, *, team_id: str, number: int, deleted: bool = False) -> Problem:
    """The problem; a soft-deleted one only when `deleted` (to restore or show its history)."""
    # A number that cannot be a problem's (a tampered form, an out-of-range id) is a missing
    # problem too, not a database error.
    problem = queries.problem_by_number(session, team_id=team_id, number=number)
    if problem is None:
        raise NotFound(
            f"There is no problem P-{number} in this workspace. "
            "Type `/problem list all` to see every problem's id."
        )
    if problem.deleted_at is not None and not deleted:
        raise NotFound(
            f"P-{number} was deleted. `/problem restore P-{number}` brings it back "
            "(only its creator, its owner or a workspace admin can)."
        )
    return problem


def get(session: Session, *, team_id: str, number: int) -> ProblemRecord:
    problem = _get(session, team_id=team_id, number=number)
    return ProblemRecord.of(problem)


def may_change(
    session: Session, *, team_id: str, number: int, actor: permissions.Actor
) -> ProblemRecord:
    """The problem, when the actor may edit it (to open the form); Forbidden otherwise."""
    problem = _get(session, team_id=team_id, number=number)
    _check(actor, problem, verb="edit")
    return ProblemRecord.of(problem)


def update(
    session: Session,
    *,
    team_id: str,
    number: int,
    draft: ProblemDraft,
    actor: permissions.Actor,
) -> ProblemRecord:
    """Replace a problem's details with a checked draft, keeping the previous version."""
    problem = _get(session, team_id=team_id, number=number)
    _check(actor, problem, verb="edit")
    _edit(session, problem, check(draft), actor=actor)
    session.flush()
    return ProblemRecord.of(problem)


def _edit(
    session: Session, problem: Problem, values: dict[str, object], *, actor: permissions.Actor
) -> None:
    """Set the problem's `values`, keeping the previous version."""
    before = history.snapshot(problem, values)
    for name, value in values.items():
        setattr(problem, name, value)
    history.record(
        session,
        team_id=problem.team_id,
        kind=KIND,
        record_id=problem.id,
        action=history.Action.EDIT,
        user_id=actor.user_id,
        before=before,
        after=history.snapshot(problem, values),
    )


def set_metric_key(
    session: Session, *, team_id: str, number: int, key: str, actor: permissions.Actor
) -> None:
    """Map the problem's metric to its key in the team's tracker (a pasted run's value)."""
    problem = _get(session, team_id=team_id, number=number)
    _check(actor, problem, verb="set the metric key of")
    _edit(session, problem, {"metric_key": key}, actor=actor)


def _check(actor: permissions.Actor, problem: Problem, *, verb: str) -> None:
    permissions.check(
        actor,
        ref=problem.ref,
        author_id=problem.created_by,
        owner_id=problem.owner_id,
        verb=verb,
    )


def delete(
    session: Session, *, team_id: str, number: int, actor: permissions.Actor
) -> ProblemRecord:
    """Soft-delete: the problem leaves lists and the board; its id is never reused."""
    problem = _get(session, team_id=team_id, number=number, deleted=True)
    _check(actor, problem, verb="delete")
    history.soft_delete(
        session, problem, kind=KIND, user_id=actor.user_id, restore_command="/problem restore"
    )
    return ProblemRecord.of(problem)


def restore(
    session: Session, *, team_id: str, number: int, actor: permissions.Actor
) -> ProblemRecord:
    """Undo a deletion; restoring a problem that is not deleted changes nothing."""
    problem = _get(session, team_id=team_id, number=number, deleted=True)
    _check(actor, problem, verb="restore")
    history.restore(session, problem, kind=KIND, user_id=actor.user_id)
    return ProblemRecord.of(problem)


def versions(session: Session, *, team_id: str, number: int) -> tuple[history.Version, ...]:
    problem = _get(session, team_id=team_id, number=number, deleted=True)
    return history.versions(session, team_id=team_id, kind=KIND, record_id=problem.id)


def set_source_permalink(
    session: Session, *, team_id: str, number: int, permalink: str
) -> ProblemRecord:
    """Link the problem back to the Slack message it was captured from."""
    row = _get(session, team_id=team_id, number=number)
    row.source_permalink = permalink
    return ProblemRecord.of(row)
