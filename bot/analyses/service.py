"""Error analyses: why an experiment failed, so the team learns from it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import checks, permissions
from bot.errors import NotFound, ValidationFailed
from bot.experiments import service as experiments
from bot.history import service as history
from bot.text import parse_count
from storage import queries
from storage.models import ErrorAnalysis, ErrorCategory, Experiment, FollowUp
from storage.types import utcnow

KIND = "analysis"
CATEGORY_NAME_MAX = 200
CATEGORIES_MAX = 30
FOLLOW_UP_MAX = 500
SAMPLE_MAX = 10_000_000
CATEGORY_LINE = re.compile(r"^(?P<name>.+?)\s*:\s*(?P<count>\S+)$")
TEXT_FIELDS = ("sample_method", "slices", "root_causes", "next_steps", "lessons")


@dataclass(frozen=True, kw_only=True)
class AnalysisDraft:
    """What a person typed in the analysis form, before checks."""

    sample_size: str | None = None
    sample_method: str | None = None
    categories: str | None = None
    slices: str | None = None
    root_causes: str | None = None
    next_steps: str | None = None
    lessons: str | None = None
    follow_ups: tuple[tuple[str | None, str | None], ...] = ()  # (what, owner user id)


@dataclass(frozen=True)
class Category:
    name: str
    count: int
    share: float  # of all errors counted in the categories


@dataclass(frozen=True)
class FollowUpItem:
    text: str
    owner_id: str | None
    done: bool = False


@dataclass(frozen=True, kw_only=True)
class AnalysisRecord:
    team_id: str
    number: int
    experiment_number: int
    problem_number: int
    sample_size: int | None
    sample_method: str | None
    categories: tuple[Category, ...]
    slices: str | None
    root_causes: str | None
    next_steps: str | None
    lessons: str | None
    follow_ups: tuple[FollowUpItem, ...]
    author_id: str
    # Where it is posted: the experiment's thread (or its channel when that was never posted).
    channel: str | None
    thread_ts: str | None
    message_ts: str | None
    created_at: datetime
    deleted_at: datetime | None

    @property
    def ref(self) -> str:
        return f"A-{self.number}"


@dataclass(frozen=True, kw_only=True)
class Saved:
    analysis: AnalysisRecord
    created: bool


def with_shares(counts: list[tuple[str, int]]) -> tuple[Category, ...]:
    """Each category's share of all the errors counted."""
    total = sum(count for _, count in counts)
    return tuple(Category(name, count, count / total if total else 0.0) for name, count in counts)


def parse_categories(text: str | None) -> list[tuple[str, int]]:
    """`name: count` lines, strictly: ValueError names the first bad line and how to fix it."""
    out: list[tuple[str, int]] = []
    seen: set[str] = set()
    for index, line in checks.lines(text):
        match = CATEGORY_LINE.match(line)
        if not match:
            raise ValueError(
                f"Line {index} ('{line[:40]}') should read `name: count`, e.g. `blurry images: 12`."
            )
        name, count = match["name"].strip(), match["count"]
        try:
            counted = parse_count(count, least=0, most=SAMPLE_MAX)
        except ValueError:
            raise ValueError(
                f"Line {index}: '{count[:20]}' is not a whole number of errors (`{name[:40]}: 12`)."
            ) from None
        if len(name) > CATEGORY_NAME_MAX:
            raise ValueError(f"Line {index}: keep the name under {CATEGORY_NAME_MAX} characters.")
        if name.casefold() in seen:
            raise ValueError(
                f"Line {index}: '{name[:40]}' is listed twice; add its counts together."
            )
        seen.add(name.casefold())
        out.append((name, counted))
    if len(out) > CATEGORIES_MAX:
        raise ValueError(f"Keep to {CATEGORIES_MAX} categories (there are {len(out)}).")
    return out


def check(draft: AnalysisDraft) -> dict[str, Any]:
    """Checked values (categories and follow-ups as lists), or ValidationFailed naming each field."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        name: checks.text(getattr(draft, name), name=name, errors=errors) for name in TEXT_FIELDS
    }
    size = (draft.sample_size or "").strip()
    values["sample_size"] = None
    if size:
        try:
            values["sample_size"] = parse_count(size, least=1, most=SAMPLE_MAX)
        except ValueError:
            errors["sample_size"] = (
                f"'{size[:20]}' is not a count of examples. Type a whole number such as 200."
            )
    try:
        values["categories"] = parse_categories(draft.categories)
    except ValueError as error:
        errors["categories"] = str(error)
    follow_ups: list[FollowUpItem] = []
    for index, (what, owner) in enumerate(draft.follow_ups):
        what = (what or "").strip()
        if len(what) > FOLLOW_UP_MAX:
            errors[f"follow_up_{index}"] = f"Keep a follow-up under {FOLLOW_UP_MAX} characters."
        elif what:
            follow_ups.append(FollowUpItem(what, owner or None))
        elif owner:
            errors[f"follow_up_{index}"] = "Say what the follow-up is, or clear its owner."
    values["follow_ups"] = follow_ups
    if "categories" not in errors and not any(
        values.get(name) for name in (*TEXT_FIELDS, "categories")
    ):
        errors["root_causes"] = (
            "Write at least the root causes, or the error categories you counted."
        )
    if errors:
        raise ValidationFailed(errors)
    return values


def _experiment(session: Session, *, team_id: str, number: int) -> Experiment:
    row = session.scalar(
        select(Experiment).where(Experiment.team_id == team_id, Experiment.number == number)
    )
    if row is None or row.deleted_at is not None or row.problem.deleted_at is not None:
        raise NotFound(
            f"There is no experiment E-{number} in this workspace, so there is nothing to analyse. "
            "Check the id on the experiment's message, e.g. `/analysis E-34`."
        )
    return row


def owning_experiment(
    session: Session, *, team_id: str, number: int
) -> experiments.ExperimentRecord:
    """The experiment an analysis is about (checked before the form opens)."""
    _experiment(session, team_id=team_id, number=number)
    return experiments.get(session, team_id=team_id, number=number).experiment


def _record(row: ErrorAnalysis) -> AnalysisRecord:
    experiment = row.experiment
    return AnalysisRecord(
        team_id=row.team_id,
        number=row.number,
        experiment_number=experiment.number,
        problem_number=experiment.problem.number,
        sample_size=row.sample_size,
        sample_method=row.sample_method,
        categories=with_shares([(c.name, c.count) for c in row.categories]),
        slices=row.slices,
        root_causes=row.root_causes,
        next_steps=row.next_steps,
        lessons=row.lessons,
        follow_ups=tuple(FollowUpItem(f.text, f.owner_id, f.done) for f in row.follow_ups),
        author_id=row.author_id,
        channel=experiment.message_channel or experiment.channel_id,
        thread_ts=experiment.message_ts,
        message_ts=row.message_ts,
        created_at=row.created_at,
        deleted_at=row.deleted_at,
    )


def _fill(row: ErrorAnalysis, values: dict[str, Any]) -> None:
    for name in (*TEXT_FIELDS, "sample_size"):
        setattr(row, name, values[name])
    row.categories = [
        ErrorCategory(team_id=row.team_id, position=i, name=name, count=count)
        for i, (name, count) in enumerate(values["categories"])
    ]
    row.follow_ups = [
        FollowUp(team_id=row.team_id, position=i, text=f.text, owner_id=f.owner_id, done=f.done)
        for i, f in enumerate(values["follow_ups"])
    ]


def _snapshot(row: ErrorAnalysis) -> dict[str, Any]:
    out = history.snapshot(row, (*TEXT_FIELDS, "sample_size"))
    out["categories"] = "\n".join(f"{c.name}: {c.count}" for c in row.categories) or None
    out["follow_ups"] = (
        "\n".join(f"{f.text} ({f.owner_id or 'no owner'})" for f in row.follow_ups) or None
    )
    return out


def _by_source(session: Session, *, team_id: str, source_key: str) -> ErrorAnalysis | None:
    return session.scalar(
        select(ErrorAnalysis).where(
            ErrorAnalysis.team_id == team_id, ErrorAnalysis.source_key == source_key
        )
    )


def create(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    experiment_number: int,
    draft: AnalysisDraft,
    source_key: str | None = None,
) -> Saved:
    """Store an analysis of an experiment, or return the one this same request stored."""
    if source_key is not None:
        existing = _by_source(session, team_id=team_id, source_key=source_key)
        if existing is not None:
            return Saved(analysis=_record(existing), created=False)
    experiment = _experiment(session, team_id=team_id, number=experiment_number)
    values = check(draft)
    try:
        with session.begin_nested():
            row = ErrorAnalysis(
                team_id=team_id,
                number=queries.next_number(session, team_id=team_id, kind="A"),
                experiment=experiment,
                author_id=user_id,
                source_key=source_key,
                created_at=utcnow(),
            )
            _fill(row, values)
            session.add(row)
            session.flush()
    except IntegrityError:
        existing = _by_source(session, team_id=team_id, source_key=source_key or "")
        if existing is None:
            raise
        return Saved(analysis=_record(existing), created=False)
    return Saved(analysis=_record(row), created=True)


def _get(session: Session, *, team_id: str, number: int, deleted: bool = False) -> ErrorAnalysis:
    row = session.scalar(
        select(ErrorAnalysis).where(
            ErrorAnalysis.team_id == team_id, ErrorAnalysis.number == number
        )
    )
    if row is None or row.experiment.problem.deleted_at is not None:
        raise NotFound(
            f"There is no error analysis A-{number} in this workspace. "
            "`/experiment show E-34` shows an experiment with its analyses."
        )
    if row.experiment.deleted_at is not None:
        raise NotFound(
            f"A-{number} analyses E-{row.experiment.number}, which was deleted. "
            f"`/experiment restore E-{row.experiment.number}` brings both back."
        )
    if row.deleted_at is not None and not deleted:
        raise NotFound(f"A-{number} was deleted. `/analysis restore A-{number}` brings it back.")
    return row


def get(session: Session, *, team_id: str, number: int) -> AnalysisRecord:
    return _record(_get(session, team_id=team_id, number=number))


def _check(actor: permissions.Actor, row: ErrorAnalysis, *, verb: str) -> None:
    permissions.check(
        actor,
        ref=row.ref,
        author_id=row.author_id,
        owner_id=row.experiment.problem.owner_id,
        verb=verb,
    )


def may_change(
    session: Session, *, team_id: str, number: int, actor: permissions.Actor
) -> AnalysisRecord:
    row = _get(session, team_id=team_id, number=number)
    _check(actor, row, verb="edit")
    return _record(row)


def update(
    session: Session, *, team_id: str, number: int, draft: AnalysisDraft, actor: permissions.Actor
) -> AnalysisRecord:
    row = _get(session, team_id=team_id, number=number)
    _check(actor, row, verb="edit")
    values = check(draft)
    before = _snapshot(row)
    _fill(row, values)
    session.flush()
    history.record(
        session,
        team_id=team_id,
        kind=KIND,
        record_id=row.id,
        action=history.Action.EDIT,
        user_id=actor.user_id,
        before=before,
        after=_snapshot(row),
    )
    return _record(row)


def delete(
    session: Session, *, team_id: str, number: int, actor: permissions.Actor
) -> AnalysisRecord:
    """Soft-delete: the experiment owes an analysis again until this is restored."""
    row = _get(session, team_id=team_id, number=number, deleted=True)
    _check(actor, row, verb="delete")
    history.soft_delete(
        session, row, kind=KIND, user_id=actor.user_id, restore_command="/analysis restore"
    )
    return _record(row)


def restore(
    session: Session, *, team_id: str, number: int, actor: permissions.Actor
) -> AnalysisRecord:
    """Undo a deletion; restoring one that is not deleted changes nothing."""
    row = _get(session, team_id=team_id, number=number, deleted=True)
    _check(actor, row, verb="restore")
    history.restore(session, row, kind=KIND, user_id=actor.user_id)
    return _record(row)


def versions(session: Session, *, team_id: str, number: int) -> tuple[history.Version, ...]:
    row = _get(session, team_id=team_id, number=number, deleted=True)
    return history.versions(session, team_id=team_id, kind=KIND, record_id=row.id)


def set_message(session: Session, *, team_id: str, number: int, ts: str) -> None:
    _get(session, team_id=team_id, number=number).message_ts = ts
