"""Experiments: each approach tried, judged against its problem's metric."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, false, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import checks, outcome, permissions
from bot.commands import parse_ref
from bot.errors import NotFound, UsageError, ValidationFailed
from bot.experiments import runlinks
from bot.history import service as history
from bot.problems.service import ACTIVE, ProblemRecord
from bot.text import parse_number
from storage import queries
from storage.models import Direction, ErrorAnalysis, Experiment, Outcome, Problem
from storage.types import utcnow

KIND = "experiment"
DATASET_MAX = 300
METRICS_MAX = 20
METRIC_NAME_MAX = 64
CHOICES_LIMIT = 100
# What a problem menu searches with: enough for a P-number or a few title words.
TYPED_MAX = 100
TYPED_WORDS = 8
URL = re.compile(r"https?://\S+")
METRIC_LINE = re.compile(r"^(?P<name>[^:=]+?)\s*[:=]\s*(?P<value>\S+)$")


@dataclass(frozen=True, kw_only=True)
class ExperimentDraft:
    """What a person typed for an experiment, before checks."""

    problem: str | None = None
    hypothesis: str | None = None
    approach: str | None = None
    dataset: str | None = None
    value: str | None = None
    metrics: str | None = None
    run_url: str | None = None
    notes: str | None = None


@dataclass(frozen=True, kw_only=True)
class ExperimentRecord:
    team_id: str
    number: int
    problem_number: int
    hypothesis: str | None
    approach: str | None
    dataset: str | None
    value: float | None
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

    @property
    def ref(self) -> str:
        return f"E-{self.number}"

    @property
    def owes_analysis(self) -> bool:
        """A failed experiment stays flagged until an error analysis of it exists."""
        return self.outcome in outcome.FAILED and not self.analyses

    @property
    def run_link(self) -> runlinks.RunLink | None:
        return runlinks.recognise(self.run_url) if self.run_url else None


@dataclass(frozen=True, kw_only=True)
class Logged:
    """An experiment with its problem and how it compares; `created` is False for a repeat."""

    experiment: ExperimentRecord
    problem: ProblemRecord
    assessment: outcome.Assessment
    created: bool = False


def _value(text: str | None, errors: dict[str, str]) -> float | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return parse_number(text)
    except ValueError:
        errors["value"] = (
            f"'{text[:40]}' is not a number. Type the metric's value, e.g. 0.83; "
            "leave it empty if the run broke and nothing could be measured."
        )
        return None


def parse_metrics(text: str | None) -> dict[str, float]:
    """`name: value` lines into a dict; raises ValueError naming the first bad line."""
    metrics: dict[str, float] = {}
    for index, line in checks.lines(text):
        match = METRIC_LINE.match(line)
        if not match:
            raise ValueError(
                f"Line {index} ('{line[:40]}') should read `name: value`, e.g. `p95_ms: 41`."
            )
        name = match["name"].strip()
        if len(name) > METRIC_NAME_MAX:
            raise ValueError(f"Line {index}: keep metric names under {METRIC_NAME_MAX} characters.")
        if name in metrics:
            raise ValueError(f"Line {index}: '{name[:40]}' is given twice.")
        try:
            metrics[name] = parse_number(match["value"])
        except ValueError:
            raise ValueError(
                f"Line {index}: '{match['value'][:20]}' is not a number (`{name[:40]}: 41`)."
            ) from None
    if len(metrics) > METRICS_MAX:
        raise ValueError(f"Give at most {METRICS_MAX} other metrics (there are {len(metrics)}).")
    return metrics


def check(draft: ExperimentDraft) -> dict[str, Any]:
    """Column values from a draft (the problem aside), or ValidationFailed naming each bad field."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "hypothesis": checks.text(draft.hypothesis, name="hypothesis", errors=errors),
        "approach": checks.text(draft.approach, name="approach", errors=errors),
        "dataset": checks.text(draft.dataset, name="dataset", errors=errors, limit=DATASET_MAX),
        "value": _value(draft.value, errors),
        "run_url": checks.text(draft.run_url, name="run_url", errors=errors, limit=2000),
        "notes": checks.text(draft.notes, name="notes", errors=errors),
    }
    try:
        values["metrics"] = parse_metrics(draft.metrics)
    except ValueError as error:
        errors["metrics"] = str(error)
    if values["run_url"] and "run_url" not in errors:
        why_not = runlinks.problem_with(values["run_url"])
        if why_not:
            errors["run_url"] = why_not
    if errors:
        raise ValidationFailed(errors)
    return values


def quick_draft(*, problem: int, value: str, note: str) -> ExperimentDraft:
    """`/experiment P-12 0.83 <note>`: the first link in the note is taken as the run link."""
    return ExperimentDraft(
        problem=str(problem),
        value=None if value.lower() == "broken" else value,
        notes=note or None,
        run_url=first_link(note),
    )


def first_link(text: str) -> str | None:
    """The first web link in text, without the punctuation that ends a sentence."""
    link = URL.search(text)
    return link.group(0).rstrip(".,;)") if link else None


def _problem_row(session: Session, *, team_id: str, number: int) -> Problem:
    problem = queries.problem_by_number(session, team_id=team_id, number=number)
    if problem is None or problem.deleted_at is not None:
        raise NotFound(
            f"There is no problem P-{number} in this workspace. "
            "Type `/problem list` to see the open problems and their ids."
        )
    return problem


def _problem_of_draft(
    session: Session, *, team_id: str, draft: ExperimentDraft, modal: bool
) -> Problem:
    text = (draft.problem or "").strip()
    try:
        if not text:
            raise UsageError("Pick the problem this experiment is for.")
        number = problem_ref(text)
        if not modal:
            return _problem_row(session, team_id=team_id, number=number)
        # The menu offers only open problems; a value it never offered gets the same answer.
        row = _open_row(session, team_id=team_id, number=number)
        if row is None:
            raise _not_open(number)
        return row
    except (UsageError, NotFound) as error:
        if modal:
            raise ValidationFailed({"problem": error.message}) from None
        raise


def _best_before(session: Session, *, problem: Problem, number: int | None) -> float | None:
    where = [
        Experiment.team_id == problem.team_id,
        Experiment.problem_id == problem.id,
        Experiment.deleted_at.is_(None),
        Experiment.value.is_not(None),
    ]
    if number is not None:
        where.append(Experiment.number < number)
    pick = func.max if problem.direction == Direction.HIGHER else func.min
    return session.scalar(select(pick(Experiment.value)).where(*where))


def _assess(
    session: Session, *, problem: Problem, value: float | None, number: int | None
) -> outcome.Assessment:
    return outcome.assess(
        value,
        baseline=problem.baseline,
        target=problem.target,
        direction=problem.direction,
        best_before=_best_before(session, problem=problem, number=number),
    )


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


def _record(
    session: Session, row: Experiment, *, analysed: tuple[int, ...] | None = None
) -> ExperimentRecord:
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
    )


def _logged(session: Session, row: Experiment, *, created: bool = False) -> Logged:
    return Logged(
        experiment=_record(session, row),
        problem=ProblemRecord.of(row.problem),
        assessment=_assess(session, problem=row.problem, value=row.value, number=row.number),
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
) -> Logged:
    """Store an experiment with its computed outcome, or return the one this request stored."""
    if source_key is not None:
        existing = _by_source(session, team_id=team_id, source_key=source_key)
        if existing is not None:
            return _logged(session, existing)
    errors: dict[str, str] = {}
    problem: Problem | None = None
    try:
        problem = _problem_of_draft(session, team_id=team_id, draft=draft, modal=modal)
    except ValidationFailed as error:
        errors |= error.errors
    try:
        values = check(draft)
    except ValidationFailed as error:
        errors |= error.errors
    if errors or problem is None:
        raise ValidationFailed(errors)
    assessment = _assess(session, problem=problem, value=values["value"], number=None)
    try:
        with session.begin_nested():
            row = Experiment(
                team_id=team_id,
                number=queries.next_number(session, team_id=team_id, kind="E"),
                problem=problem,
                outcome=assessment.outcome,
                author_id=user_id,
                channel_id=channel_id,
                source_key=source_key,
                source_permalink=source_permalink,
                created_at=utcnow(),
                **values,
            )
            session.add(row)
            session.flush()
    except IntegrityError:
        # A concurrent delivery of the same request stored it first; its row is the answer.
        existing = _by_source(session, team_id=team_id, source_key=source_key or "")
        if existing is None:
            raise
        return _logged(session, existing)
    return _logged(session, row, created=True)


def _get(session: Session, *, team_id: str, number: int, deleted: bool = False) -> Experiment:
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
    return _logged(session, _get(session, team_id=team_id, number=number))


def _check(actor: permissions.Actor, row: Experiment, *, verb: str) -> None:
    permissions.check(
        actor, ref=row.ref, author_id=row.author_id, owner_id=row.problem.owner_id, verb=verb
    )


def may_change(session: Session, *, team_id: str, number: int, actor: permissions.Actor) -> Logged:
    """The experiment, when the actor may edit it (to open the edit form); Forbidden otherwise."""
    row = _get(session, team_id=team_id, number=number)
    _check(actor, row, verb="edit")
    return _logged(session, row)


def update(
    session: Session, *, team_id: str, number: int, draft: ExperimentDraft, actor: permissions.Actor
) -> Logged:
    """Replace what was typed, recompute the outcome, and keep the previous version."""
    row = _get(session, team_id=team_id, number=number)
    _check(actor, row, verb="edit")
    values = check(draft)
    names = (*values, "outcome")
    before = history.snapshot(row, names)
    for name, value in values.items():
        setattr(row, name, value)
    row.outcome = _assess(session, problem=row.problem, value=row.value, number=row.number).outcome
    history.record(
        session,
        team_id=team_id,
        kind=KIND,
        record_id=row.id,
        action=history.Action.EDIT,
        user_id=actor.user_id,
        before=before,
        after=history.snapshot(row, names),
    )
    _reassess(session, row.problem)
    return _logged(session, row)


def delete(session: Session, *, team_id: str, number: int, actor: permissions.Actor) -> Logged:
    """Soft-delete: it leaves lists, the board and digests; its id is never reused."""
    row = _get(session, team_id=team_id, number=number, deleted=True)
    _check(actor, row, verb="delete")
    history.soft_delete(
        session, row, kind=KIND, user_id=actor.user_id, restore_command="/experiment restore"
    )
    _reassess(session, row.problem)
    return _logged(session, row)


def restore(session: Session, *, team_id: str, number: int, actor: permissions.Actor) -> Logged:
    """Undo a deletion; restoring one that is not deleted changes nothing."""
    row = _get(session, team_id=team_id, number=number, deleted=True)
    _check(actor, row, verb="restore")
    history.restore(session, row, kind=KIND, user_id=actor.user_id)
    _reassess(session, row.problem)
    return _logged(session, row)


def _reassess(session: Session, problem: Problem) -> None:
    """Recompute the stored outcomes of a problem's experiments, oldest first.

    Outcomes are stored so queries can filter on them (owed analyses, digests); they
    follow the problem's baseline, target and direction, and the best earlier result.
    Outcomes are computed, never typed, so recomputing them keeps no version.
    """
    rows = session.scalars(
        select(Experiment)
        .where(
            Experiment.team_id == problem.team_id,
            Experiment.problem_id == problem.id,
            Experiment.deleted_at.is_(None),
        )
        .order_by(Experiment.number)
    ).all()
    measured: list[float | None] = []
    for row in rows:
        row.outcome = outcome.assess(
            row.value,
            baseline=problem.baseline,
            target=problem.target,
            direction=problem.direction,
            best_before=outcome.best(measured, problem.direction),
        ).outcome
        measured.append(row.value)
    session.flush()


def reassess(session: Session, *, team_id: str, number: int) -> None:
    """After a problem's metric changed: bring its experiments' outcomes in line."""
    _reassess(session, _problem_row(session, team_id=team_id, number=number))


def versions(session: Session, *, team_id: str, number: int) -> tuple[history.Version, ...]:
    row = _get(session, team_id=team_id, number=number, deleted=True)
    return history.versions(session, team_id=team_id, kind=KIND, record_id=row.id)


def set_source_permalink(session: Session, *, team_id: str, number: int, permalink: str) -> None:
    _get(session, team_id=team_id, number=number).source_permalink = permalink


def _choosable(team_id: str) -> tuple[ColumnElement[bool], ...]:
    """The problems an experiment can be logged against: the workspace's active ones."""
    return (
        Problem.team_id == team_id,
        Problem.status.in_(ACTIVE),
        Problem.deleted_at.is_(None),
    )


def _open_row(session: Session, *, team_id: str, number: int) -> Problem | None:
    return session.scalar(select(Problem).where(*_choosable(team_id), Problem.number == number))


def _not_open(number: int) -> NotFound:
    return NotFound(
        f"P-{number} is not an open problem in this workspace. "
        "`/problem list` shows the open ones and their ids."
    )


def open_problem(session: Session, *, team_id: str, number: int) -> ProblemRecord:
    """P-<number>, when an experiment can be logged against it; NotFound saying so otherwise."""
    row = _open_row(session, team_id=team_id, number=number)
    if row is None:
        raise _not_open(number)
    return ProblemRecord.of(row)


def problem_ref(text: str) -> int:
    """The problem named by `P-12`, `p12` or a bare `12` (a menu's option value)."""
    text = text.strip()
    return parse_ref(f"P-{text}" if text.isascii() and text.isdigit() else text, kind="P")


def _named(text: str) -> int | None:
    try:
        return problem_ref(text)
    except UsageError:
        return None


@dataclass(frozen=True, kw_only=True)
class ProblemChoice:
    """What the experiment form's problem menu starts with."""

    any_open: bool
    chosen: ProblemRecord | None  # preselected: the open problem the form was opened for


def problem_choice(session: Session, *, team_id: str, named: str | None) -> ProblemChoice:
    """Whether the workspace has an open problem, and the one `named` (`P-12`) if it is open."""
    number = _named(named or "")
    row = None if number is None else _open_row(session, team_id=team_id, number=number)
    if row is not None:
        return ProblemChoice(any_open=True, chosen=ProblemRecord.of(row))
    any_open = session.scalar(select(exists().where(*_choosable(team_id))))
    return ProblemChoice(any_open=bool(any_open), chosen=None)


def choosable_problems(
    session: Session, *, team_id: str, typed: str = ""
) -> tuple[ProblemRecord, ...]:
    """The active problems matching what someone typed in a problem menu, newest first.

    `P-12` or `12` matches that problem (listed first); otherwise every typed word must be
    in the title. Nothing typed lists the newest. At most CHOICES_LIMIT: Slack shows no more.
    """
    words = typed[:TYPED_MAX].split()[:TYPED_WORDS]
    in_title = and_(
        true(), *(func.lower(Problem.title).contains(w.lower(), autoescape=True) for w in words)
    )
    number = _named(typed)
    named = false() if number is None else Problem.number == number
    rows = session.scalars(
        select(Problem)
        .where(*_choosable(team_id), or_(named, in_title))
        .order_by(case((named, 0), else_=1), Problem.number.desc())
        .limit(CHOICES_LIMIT)
    ).all()
    return tuple(ProblemRecord.of(r) for r in rows)


def of_problem(
    session: Session, *, team_id: str, number: int, limit: int = 10
) -> tuple[ExperimentRecord, ...]:
    """A problem's latest experiments, newest first."""
    problem = _problem_row(session, team_id=team_id, number=number)
    rows = session.scalars(
        select(Experiment)
        .where(
            Experiment.team_id == team_id,
            Experiment.problem_id == problem.id,
            Experiment.deleted_at.is_(None),
        )
        .order_by(Experiment.number.desc())
        .limit(limit)
    ).all()
    return tuple(_record(session, r) for r in rows)


def owed_analyses(
    session: Session, *, team_id: str, user_id: str, limit: int = 50
) -> tuple[ExperimentRecord, ...]:
    """The user's failed experiments that still have no error analysis, oldest first."""
    analysed = exists().where(
        ErrorAnalysis.experiment_id == Experiment.id, ErrorAnalysis.deleted_at.is_(None)
    )
    rows = session.scalars(
        select(Experiment)
        .join(Problem, Experiment.problem_id == Problem.id)
        .where(
            Experiment.team_id == team_id,
            Experiment.author_id == user_id,
            Experiment.deleted_at.is_(None),
            Problem.deleted_at.is_(None),
            Experiment.outcome.in_(outcome.FAILED),
            ~analysed,
        )
        .order_by(Experiment.number)
        .limit(limit)
    ).all()
    return tuple(_record(session, r, analysed=()) for r in rows)  # none, by the query


def best_results(
    session: Session, *, team_id: str, problems: Sequence[ProblemRecord]
) -> dict[int, float]:
    """The best measured value of each problem (by number), in its metric's direction."""
    numbers = [p.number for p in problems]
    if not numbers:
        return {}
    rows = session.execute(
        select(Problem.number, func.max(Experiment.value), func.min(Experiment.value))
        .join(Experiment, Experiment.problem_id == Problem.id)
        .where(
            Problem.team_id == team_id,
            Problem.number.in_(numbers),
            Experiment.deleted_at.is_(None),
            Experiment.value.is_not(None),
        )
        .group_by(Problem.number)
    ).all()
    direction = {p.number: p.direction for p in problems}
    return {
        number: high if direction[number] == Direction.HIGHER else low for number, high, low in rows
    }
