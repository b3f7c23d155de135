"""The problem an experiment is for: the one a draft names, and the form's problem menu."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, exists, false, func, or_, select, true
from sqlalchemy.orm import Session

from bot.commands import parse_ref
from bot.decisions.closure import Closure, closure_of, refusal
from bot.errors import NotFound, UsageError, ValidationFailed
from bot.experiments.drafts import ExperimentDraft
from bot.problems.service import ACTIVE, ProblemRecord
from storage import queries
from storage.problems import Problem

CHOICES_LIMIT = 100
# What a problem menu searches with: enough for a P-number or a few title words.
TYPED_MAX = 100
TYPED_WORDS = 8


def problem_row(session: Session, *, team_id: str, number: int) -> Problem:
    """P-<number> of this workspace, whatever its status, unless it was deleted."""
    problem = _live_row(session, team_id=team_id, number=number)
    if problem is None:
        raise NotFound(
            f"There is no problem P-{number} in this workspace. "
            "Type `/problem list` to see the open problems and their ids."
        )
    return problem


def problem_of_draft(
    session: Session, *, team_id: str, draft: ExperimentDraft, modal: bool
) -> Problem:
    """The open problem a draft names; a closed one is refused, saying how to reopen it."""
    text = (draft.problem or "").strip()
    try:
        if not text:
            raise UsageError("Pick the problem this experiment is for.")
        number = problem_ref(text)
        if modal:
            return _open_row(session, team_id=team_id, number=number)
        return _refuse_closed(session, problem_row(session, team_id=team_id, number=number))
    except (UsageError, NotFound) as error:
        if modal:
            raise ValidationFailed({"problem": error.message}) from None
        raise


def _choosable(team_id: str) -> tuple[ColumnElement[bool], ...]:
    """The problems an experiment can be logged against: the workspace's active ones."""
    return (
        Problem.team_id == team_id,
        Problem.status.in_(ACTIVE),
        Problem.deleted_at.is_(None),
    )


def _live_row(session: Session, *, team_id: str, number: int) -> Problem | None:
    row = queries.problem_by_number(session, team_id=team_id, number=number)
    return row if row is not None and row.deleted_at is None else None


def _refuse_closed(session: Session, row: Problem) -> Problem:
    closure = closure_of(session, row)
    if closure is not None:
        raise refusal(closure)
    return row


def _open_row(session: Session, *, team_id: str, number: int) -> Problem:
    """P-<number> when experiments can go on it; a closed one is refused with how to reopen
    it, and one the form never offered (missing, deleted) is answered like the menu."""
    row = _live_row(session, team_id=team_id, number=number)
    if row is None:
        raise NotFound(
            f"P-{number} is not an open problem in this workspace. "
            "`/problem list` shows the open ones and their ids."
        )
    return _refuse_closed(session, row)


def open_problem(session: Session, *, team_id: str, number: int) -> ProblemRecord:
    """P-<number>, when an experiment can be logged against it; refused otherwise."""
    return ProblemRecord.of(_open_row(session, team_id=team_id, number=number))


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
    closed: Closure | None = None  # the problem it was opened for, when that one is closed


def problem_choice(session: Session, *, team_id: str, named: str | None) -> ProblemChoice:
    """Whether the workspace has an open problem, and the one `named` (`P-12`): chosen if it
    is open, and how it was closed if it is not."""
    number = _named(named or "")
    row = None if number is None else _live_row(session, team_id=team_id, number=number)
    closed = None if row is None else closure_of(session, row)
    if row is not None and closed is None:
        return ProblemChoice(any_open=True, chosen=ProblemRecord.of(row))
    any_open = session.scalar(select(exists().where(*_choosable(team_id))))
    return ProblemChoice(any_open=bool(any_open), chosen=None, closed=closed)


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
