"""Error analyses: why an experiment failed, so the team learns from it. The form's draft
and changes to an analysis have modules of their own beside this one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.analyses import ceilings, follow_ups
from bot.analyses.drafts import (
    TEXT_FIELDS,
    AnalysisDraft,
    Category,
    FollowUpItem,
    check,
    with_shares,
)
from bot.ceilings import ErrorCeilings
from bot.errors import NotFound
from bot.experiments import service as experiments
from bot.metric import Metric
from storage import queries
from storage.analyses import ErrorAnalysis, ErrorCategory
from storage.experiments import Experiment
from storage.types import utcnow


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
    # Its categories' ceilings against the experiment's result and the problem's metric;
    # None unless the metric is a proportion and the experiment measured a value.
    ceilings: ErrorCeilings | None = None
    metric: Metric | None = None

    @property
    def ref(self) -> str:
        return f"A-{self.number}"


@dataclass(frozen=True, kw_only=True)
class Saved:
    analysis: AnalysisRecord
    created: bool


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


def record_of(row: ErrorAnalysis) -> AnalysisRecord:
    """The record of a row, with its categories' shares and where it is posted."""
    experiment = row.experiment
    counts = [(c.name, c.count) for c in row.categories]
    metric = Metric.of(experiment.problem)
    return AnalysisRecord(
        team_id=row.team_id,
        number=row.number,
        experiment_number=experiment.number,
        problem_number=experiment.problem.number,
        sample_size=row.sample_size,
        sample_method=row.sample_method,
        categories=with_shares(counts),
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
        ceilings=ceilings.of_analysis(
            value=experiment.value, metric=metric, categories=counts, sample_size=row.sample_size
        ),
        metric=metric,
    )


def fill(row: ErrorAnalysis, values: dict[str, Any]) -> None:
    """Write checked values into a row, its categories and follow-ups replaced in order."""
    for name in (*TEXT_FIELDS, "sample_size"):
        setattr(row, name, values[name])
    row.categories = [
        ErrorCategory(team_id=row.team_id, position=i, name=name, count=count)
        for i, (name, count) in enumerate(values["categories"])
    ]
    row.follow_ups = follow_ups.kept(
        list(row.follow_ups), values["follow_ups"], team_id=row.team_id
    )


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
            return Saved(analysis=record_of(existing), created=False)
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
            fill(row, values)
            session.add(row)
            session.flush()
    except IntegrityError:
        existing = _by_source(session, team_id=team_id, source_key=source_key or "")
        if existing is None:
            raise
        return Saved(analysis=record_of(existing), created=False)
    return Saved(analysis=record_of(row), created=True)


def analysis_row(
    session: Session, *, team_id: str, number: int, deleted: bool = False
) -> ErrorAnalysis:
    """A-<number> of this workspace (a deleted one only when `deleted`); NotFound saying why."""
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
    return record_of(analysis_row(session, team_id=team_id, number=number))


def set_message(session: Session, *, team_id: str, number: int, ts: str) -> None:
    analysis_row(session, team_id=team_id, number=number).message_ts = ts
