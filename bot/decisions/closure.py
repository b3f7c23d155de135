"""A closed problem: the decision that closed it, and what anyone who tries to log an
experiment on it is told (that it is closed, and how to reopen it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks import day_of, user
from bot.decisions.service import CLOSED, CLOSED_AS, CLOSES
from bot.errors import UsageError
from bot.text import escape
from storage.problems import Decision, Problem, ProblemStatus


@dataclass(frozen=True, kw_only=True)
class Closure:
    ref: str
    status: ProblemStatus
    decided_at: datetime | None  # None for a problem closed without a decision on record
    decided_by: str | None


def closure_of(session: Session, problem: Problem) -> Closure | None:
    """How `problem` was closed (its latest cut or ship), or None while it is open."""
    if problem.status not in CLOSED:
        return None
    closing = session.scalar(
        select(Decision)
        .where(
            Decision.team_id == problem.team_id,
            Decision.problem_id == problem.id,
            Decision.kind.in_(CLOSES),
        )
        .order_by(Decision.decided_at.desc(), Decision.id.desc())
        .limit(1)
    )
    return Closure(
        ref=problem.ref,
        status=problem.status,
        decided_at=closing.decided_at if closing else None,
        decided_by=closing.decided_by if closing else None,
    )


def _said(closure: Closure, *, on: str, by: str, why: str) -> str:
    """What happened and what to type; `on` the day, `by` who decided, `why` the placeholder."""
    when = f" on {on}" if on else ""
    return (
        f"{closure.ref} was {CLOSED_AS[closure.status]}{when}{by}. Experiments go on open problems; "
        f"to reopen it: `/problem reopen {closure.ref} {why}`."
    )


def notice(closure: Closure) -> str:
    """The closure as mrkdwn, naming who decided it and when, in the reader's own timezone."""
    by = f" (decision by {user(closure.decided_by)})" if closure.decided_by else ""
    on = day_of(closure.decided_at) if closure.decided_at else ""
    return _said(closure, on=on, by=by, why=escape("<why>"))


class ProblemClosed(UsageError):
    """An experiment logged on a closed problem (the webhook answers it with 409)."""


def refusal(closure: Closure) -> ProblemClosed:
    """The error for an experiment logged on a closed problem: plain text for a form's
    field (its day in UTC), and naming who decided where Slack renders mrkdwn."""
    on = f"{closure.decided_at:%Y-%m-%d} UTC" if closure.decided_at else ""
    return ProblemClosed(_said(closure, on=on, by="", why="<why>"), shown=notice(closure))
