"""Problem statements: the discovery track's record. Services take a session and plain values."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import checks, permissions
from bot.errors import NotFound, ValidationFailed
from bot.history import service as history
from bot.text import parse_number, visible
from storage import queries
from storage.models import Direction, Problem, ProblemStatus, Track
from storage.types import utcnow

E = TypeVar("E", Direction, Track)

TITLE_MAX = 150
TEXT_MAX = checks.TEXT_MAX
LIST_LIMIT = 25
# A listing counts the problems it does not show up to this many, then says "1,000+": an
# exact count of a large workspace costs a scan of all its problems on every list.
COUNT_LIMIT = 1000


@dataclass(frozen=True, kw_only=True)
class ProblemDraft:
    """What a person typed for a problem, before checks; every field optional but the title."""

    title: str
    statement: str | None = None
    user_value: str | None = None
    feasibility: str | None = None
    metric_name: str | None = None
    metric_definition: str | None = None
    direction: str | None = None
    baseline: str | None = None
    target: str | None = None
    guardrails: str | None = None
    data_sources: str | None = None
    prior_work: str | None = None
    owner_id: str | None = None
    track: str | None = None
    review_on: str | None = None
    kill_criteria: str | None = None


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
    decisions: tuple[str, ...] = field(default=())

    @property
    def ref(self) -> str:
        return f"P-{self.number}"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @classmethod
    def of(cls, row: Problem) -> ProblemRecord:
        return cls(**{name: getattr(row, name) for name in _STORED})

    @classmethod
    def of_values(cls, values: dict[str, object]) -> ProblemRecord:
        """The record of a row just inserted from these column values."""
        return cls(**{name: values[name] for name in _STORED})  # type: ignore[arg-type]


_STORED = tuple(f.name for f in fields(ProblemRecord) if f.name != "decisions")


@dataclass(frozen=True, kw_only=True)
class Saved:
    problem: ProblemRecord
    created: bool


def _number(value: str | None, *, name: str, errors: dict[str, str]) -> float | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return parse_number(value)
    except ValueError:
        errors[name] = f"'{value[:40]}' is not a number. Type a plain number such as 0.83 or 12.5."
        return None


def _earliest_today() -> date:
    # The date in the world's earliest timezone (UTC-12): a date before it is in the
    # past for everyone, wherever the person typing it lives.
    return (datetime.now(UTC) - timedelta(hours=12)).date()


def _review_on(value: str | None, errors: dict[str, str]) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        errors["review_on"] = f"'{value[:20]}' is not a date. Pick one, or type it as 2026-12-31."
        return None
    if parsed < _earliest_today():
        errors["review_on"] = (
            f"{parsed.isoformat()} is in the past. Pick a review date from today on."
        )
        return None
    return parsed


def _choice(value: str | None, enum: type[E], default: E, name: str, errors: dict[str, str]) -> E:
    if not value:
        return default
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        errors[name] = f"'{value[:20]}' is not one of: {allowed}."
        return default


SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")


def check(draft: ProblemDraft) -> dict[str, object]:
    """Turn a draft into column values, or raise ValidationFailed naming each bad field."""
    errors: dict[str, str] = {}
    title = " ".join((draft.title or "").split())
    if not visible(title):
        errors["title"] = "Give the problem a title, e.g. 'Churn model misses new users'."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the title under {TITLE_MAX} characters (it has {len(title)})."
    values: dict[str, object] = {
        "title": title,
        "statement": checks.text(draft.statement, name="statement", errors=errors),
        "user_value": checks.text(draft.user_value, name="user_value", errors=errors),
        "feasibility": checks.text(draft.feasibility, name="feasibility", errors=errors),
        "metric_name": checks.text(draft.metric_name, name="metric_name", errors=errors, limit=200),
        "metric_definition": checks.text(
            draft.metric_definition, name="metric_definition", errors=errors
        ),
        "direction": _choice(draft.direction, Direction, Direction.HIGHER, "direction", errors),
        "baseline": _number(draft.baseline, name="baseline", errors=errors),
        "target": _number(draft.target, name="target", errors=errors),
        "guardrails": checks.text(draft.guardrails, name="guardrails", errors=errors),
        "data_sources": checks.text(draft.data_sources, name="data_sources", errors=errors),
        "prior_work": checks.text(draft.prior_work, name="prior_work", errors=errors),
        "track": _choice(draft.track, Track, Track.DISCOVERY, "track", errors),
        "review_on": _review_on(draft.review_on, errors),
        "kill_criteria": checks.text(draft.kill_criteria, name="kill_criteria", errors=errors),
    }
    if draft.owner_id and SLACK_USER_ID.fullmatch(draft.owner_id):
        values["owner_id"] = draft.owner_id
    elif draft.owner_id:
        # Rendered as a mention (<@id>) in every card: anything but an id could ping or link.
        errors["owner_id"] = "Pick the owner from the list of people."
    baseline, target = values["baseline"], values["target"]
    if isinstance(baseline, float) and isinstance(target, float) and "target" not in errors:
        higher = values["direction"] == Direction.HIGHER
        if target == baseline:
            errors["target"] = (
                "The target equals the baseline; set the value that would count as success."
            )
        elif higher and target < baseline:
            errors["target"] = (
                f"Higher is better, so the target should be above the baseline ({baseline:g}). "
                "Raise it, or switch the direction to 'lower is better'."
            )
        elif not higher and target > baseline:
            errors["target"] = (
                f"Lower is better, so the target should be below the baseline ({baseline:g}). "
                "Lower it, or switch the direction to 'higher is better'."
            )
    if errors:
        raise ValidationFailed(errors)
    return values


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
NUMBER_MAX = 2**31 - 1


def _get(session: Session, *, team_id: str, number: int, deleted: bool = False) -> Problem:
    """The problem; a soft-deleted one only when `deleted` (to restore or show its history)."""
    # A number that cannot be a problem's (a tampered form, an out-of-range id) is a missing
    # problem too, not a database error.
    valid = isinstance(number, int) and not isinstance(number, bool) and 0 < number <= NUMBER_MAX
    problem = queries.problem_by_number(session, team_id=team_id, number=number) if valid else None
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
    values = check(draft)
    before = history.snapshot(problem, values)
    for name, value in values.items():
        setattr(problem, name, value)
    history.record(
        session,
        team_id=team_id,
        kind=KIND,
        record_id=problem.id,
        action=history.Action.EDIT,
        user_id=actor.user_id,
        before=before,
        after=history.snapshot(problem, values),
    )
    session.flush()
    return ProblemRecord.of(problem)


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


class Scope:
    OPEN = "open"
    MINE = "mine"
    ALL = "all"
    CHOICES = (OPEN, MINE, ALL)


ACTIVE = (ProblemStatus.OPEN, ProblemStatus.IN_DELIVERY)


@dataclass(frozen=True, kw_only=True)
class Listing:
    problems: tuple[ProblemRecord, ...]
    total: int
    # True when there are more than `total` (the count stopped at COUNT_LIMIT).
    more: bool = False


def listing(session: Session, *, team_id: str, scope: str, user_id: str) -> Listing:
    """Problems of the workspace, newest first: active ones, the user's own, or all."""
    where = [Problem.team_id == team_id, Problem.deleted_at.is_(None)]
    if scope in (Scope.OPEN, Scope.MINE):
        where.append(Problem.status.in_(ACTIVE))
    if scope == Scope.MINE:
        where.append(Problem.owner_id == user_id)
    rows = session.scalars(
        select(Problem).where(*where).order_by(Problem.number.desc()).limit(LIST_LIMIT)
    ).all()
    total = len(rows)
    if total == LIST_LIMIT:
        capped = select(Problem.id).where(*where).limit(COUNT_LIMIT + 1).subquery()
        total = session.scalar(select(func.count()).select_from(capped)) or total
    more = total > COUNT_LIMIT
    return Listing(
        problems=tuple(ProblemRecord.of(r) for r in rows),
        total=min(total, COUNT_LIMIT),
        more=more,
    )


def open_by_track(session: Session, *, team_id: str) -> dict[Track, tuple[ProblemRecord, ...]]:
    """The workspace's active problems grouped by track, for the App Home board."""
    rows = session.scalars(
        select(Problem)
        .where(
            Problem.team_id == team_id,
            Problem.status.in_(ACTIVE),
            Problem.deleted_at.is_(None),
        )
        .order_by(Problem.number.desc())
        .limit(200)
    ).all()
    return {track: tuple(ProblemRecord.of(r) for r in rows if r.track == track) for track in Track}
