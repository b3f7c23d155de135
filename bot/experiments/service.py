"""Experiments: each approach tried, logged against its problem and judged by its metric.
The draft, the problem menu, judging and changes have modules of their own beside this one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.errors import NotFound, ValidationFailed
from bot.experiments import outcomes, plausible, runlinks
from bot.experiments.choices import problem_of_draft
from bot.experiments.drafts import ExperimentDraft, check
from bot.metric import Metric
from bot.problems.service import ProblemRecord
from bot.verdict import OWES_ANALYSIS, Judgement
from storage import queries
from storage.analyses import ErrorAnalysis
from storage.experiments import Experiment, Outcome
from storage.problems import Problem
from storage.trackers import FetchState, RunFetch
from storage.types import utcnow


@dataclass(frozen=True)
class RunValue:
    """Where an experiment's value comes from when it is read from its run."""

    state: FetchState
    source: str | None  # "MLflow run ab12…, `val/recall`", once read
    error: str | None  # why it could not be read, when it could not
    params_changed: str | None = None  # "vs E-7 (best so far): `lr` 0.01 → 0.003"
    metric_keys: tuple[str, ...] = ()  # the run's, when none is known to be the problem's


@dataclass(frozen=True, kw_only=True)
class ExperimentRecord:
    team_id: str
    number: int
    problem_number: int
    hypothesis: str | None
    approach: str | None
    dataset: str | None
    value: float | None  # the mean of values
    metrics: dict[str, float]
    outcome: Outcome
    run_url: str | None
    notes: str | None
    source_permalink: str | None
    author_id: str
    channel_id: str | None
    message_channel: str | None
    message_ts: str | None
    created_at: datetime
    deleted_at: datetime | None
    analyses: tuple[int, ...]  # numbers of its error analyses
    values: tuple[float, ...] = ()  # one per seed
    eval_size: int | None = None  # how many examples it was evaluated on
    run_value: RunValue | None = None

    @property
    def ref(self) -> str:
        return f"E-{self.number}"

    @property
    def seeds(self) -> tuple[float, ...]:
        """Each seed's value (a record written with a value alone has that one)."""
        return self.values or (() if self.value is None else (self.value,))

    @property
    def owes_analysis(self) -> bool:
        """An experiment that showed no gain stays flagged until an error analysis of it
        exists (a broken run owes a note of what broke, given when it was logged)."""
        return self.outcome in OWES_ANALYSIS and not self.analyses

    @property
    def run_link(self) -> runlinks.RunLink | None:
        return runlinks.recognise(self.run_url) if self.run_url else None


@dataclass(frozen=True, kw_only=True)
class Logged:
    """An experiment with its problem and its verdict; `created` is False for a repeat."""

    experiment: ExperimentRecord
    problem: ProblemRecord
    judgement: Judgement
    created: bool = False


def _analyses_of(session: Session, experiment: Experiment) -> tuple[int, ...]:
    return tuple(
        session.scalars(
            select(ErrorAnalysis.number)
            .where(
                ErrorAnalysis.experiment_id == experiment.id,
                ErrorAnalysis.deleted_at.is_(None),
            )
            .order_by(ErrorAnalysis.number)
        )
    )


def record_of(
    session: Session, row: Experiment, *, analysed: tuple[int, ...] | None = None
) -> ExperimentRecord:
    """The record of a row; `analysed` when the caller already knows its analyses."""
    if analysed is None:
        analysed = _analyses_of(session, row)
    return ExperimentRecord(
        team_id=row.team_id,
        number=row.number,
        problem_number=row.problem.number,
        hypothesis=row.hypothesis,
        approach=row.approach,
        dataset=row.dataset,
        value=row.value,
        values=tuple(row.values or ()),
        eval_size=row.eval_size,
        metrics=dict(row.metrics or {}),
        outcome=row.outcome,
        run_url=row.run_url,
        notes=row.notes,
        source_permalink=row.source_permalink,
        author_id=row.author_id,
        channel_id=row.channel_id,
        message_channel=row.message_channel,
        message_ts=row.message_ts,
        created_at=row.created_at,
        deleted_at=row.deleted_at,
        analyses=analysed,
        run_value=_run_value(session, row),
    )


def _run_value(session: Session, row: Experiment) -> RunValue | None:
    if not row.run_url:
        return None
    fetch = session.scalar(
        select(RunFetch).where(RunFetch.team_id == row.team_id, RunFetch.experiment_id == row.id)
    )
    if fetch is None:
        return None
    keys = tuple(fetch.metric_keys or ())
    return RunValue(fetch.state, fetch.source, fetch.last_error, fetch.params_changed, keys)


def logged_of(session: Session, row: Experiment, *, created: bool = False) -> Logged:
    """The experiment with its problem and its verdict against the results before it."""
    record = record_of(session, row)
    return Logged(
        experiment=record,
        problem=ProblemRecord.of(row.problem),
        judgement=outcomes.assess(
            session,
            problem=row.problem,
            values=record.seeds,
            eval_size=row.eval_size,
            number=row.number,
            unread=record.run_value is not None and record.run_value.state != FetchState.FETCHED,
        ),
        created=created,
    )


def _by_source(session: Session, *, team_id: str, source_key: str) -> Experiment | None:
    return session.scalar(
        select(Experiment).where(Experiment.team_id == team_id, Experiment.source_key == source_key)
    )


def create(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    channel_id: str | None,
    draft: ExperimentDraft,
    source_key: str | None = None,
    source_permalink: str | None = None,
    modal: bool = False,
    confirmed: bool = False,
) -> Logged:
    """Store an experiment with its computed outcome, or return the one this request stored.

    A value implausibly far from the problem's baseline, target and results raises
    plausible.Unusual, unless the person `confirmed` it."""
    if source_key is not None:
        existing = _by_source(session, team_id=team_id, source_key=source_key)
        if existing is not None:
            return logged_of(session, existing)
    errors: dict[str, str] = {}
    problem: Problem | None = None
    try:
        problem = problem_of_draft(session, team_id=team_id, draft=draft, modal=modal)
    except ValidationFailed as error:
        errors |= error.errors
    try:
        values = check(draft, metric=Metric.of(problem) if problem else None)
    except ValidationFailed as error:
        errors |= error.errors
    if errors or problem is None:
        raise ValidationFailed(errors)
    if not confirmed:
        plausible.check(session, problem=problem, values=values["values"])
    judgement = outcomes.assess(
        session,
        problem=problem,
        values=values["values"],
        eval_size=values["eval_size"],
        number=None,
        unread=draft.from_run,
    )
    try:
        with session.begin_nested():
            row = Experiment(
                team_id=team_id,
                number=queries.next_number(session, team_id=team_id, kind="E"),
                problem=problem,
                outcome=judgement.outcome,
                author_id=user_id,
                channel_id=channel_id,
                source_key=source_key,
                source_permalink=source_permalink,
                created_at=utcnow(),
                **values,
            )
            session.add(row)
            session.flush()
            if draft.from_run:
                session.add(RunFetch(team_id=team_id, experiment_id=row.id, next_try_at=utcnow()))
                session.flush()
    except IntegrityError:
        # A concurrent delivery of the same request stored it first; its row is the answer.
        existing = _by_source(session, team_id=team_id, source_key=source_key or "")
        if existing is None:
            raise
        return logged_of(session, existing)
    return logged_of(session, row, created=True)


def experiment_row(
    session: Session, *, team_id: str, number: int, deleted: bool = False
) -> Experiment:
    """E-<number> of this workspace (a deleted one only when `deleted`); NotFound saying why."""
    row = session.scalar(
        select(Experiment).where(Experiment.team_id == team_id, Experiment.number == number)
    )
    if row is None:
        raise NotFound(
            f"There is no experiment E-{number} in this workspace. "
            "`/problem show P-12` lists a problem's experiments with their ids."
        )
    if row.problem.deleted_at is not None:
        raise NotFound(f"E-{number} belongs to {row.problem.ref}, which was deleted.")
    if row.deleted_at is not None and not deleted:
        raise NotFound(f"E-{number} was deleted. `/experiment restore E-{number}` brings it back.")
    return row


def get(session: Session, *, team_id: str, number: int) -> Logged:
    return logged_of(session, experiment_row(session, team_id=team_id, number=number))


def set_source_permalink(session: Session, *, team_id: str, number: int, permalink: str) -> None:
    experiment_row(session, team_id=team_id, number=number).source_permalink = permalink
