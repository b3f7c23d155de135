"""Standup answers: stored per person and day until their cut-off, read back for the
thread and the summary, and what counts as a blocker."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import NotFound, UsageError, ValidationFailed
from bot.standup import participation
from bot.standup.participation import Rate
from bot.standup.service import ANSWER_MAX, StandupRecord, ritual_row, run_row
from storage import queries
from storage.rituals import Ritual, StandupAnswer

if TYPE_CHECKING:
    from bot.standup.blockers import OpenBlocker

# Answers that mean "nothing to report", so they raise no blocker.
NOTHING = re.compile(r"^\W*(no(ne|pe)?|nothing|n/?a|nil|-+|—|no blockers?)\W*$", re.IGNORECASE)


@dataclass(frozen=True, kw_only=True)
class AnswerRecord:
    id: int
    team_id: str
    ritual_id: int
    channel_id: str
    day: date
    user_id: str
    answers: dict[str, str]
    message_ts: str | None
    edited: bool
    # Given after its cut-off (within LATE_WINDOW): posted in the day's thread, marked late.
    late: bool = False


@dataclass(frozen=True, kw_only=True)
class DaySummary:
    day: date
    answered: tuple[str, ...]
    missing: tuple[str, ...]
    blockers: tuple[tuple[str, str], ...]
    away: tuple[str, ...] = ()
    # Each person's response rate over the four weeks ending on `day`, lowest first.
    rates: tuple[Rate, ...] = ()
    # Blockers open two standups in a row or more (bot.standup.blockers), oldest first.
    standing: tuple[OpenBlocker, ...] = ()

    @property
    def prompted(self) -> tuple[str, ...]:
        return tuple(sorted({*self.answered, *self.missing}))


NOTHING_TO_REPORT = "nothing_to_report"
# How long after its cut-off a day's first answer is still taken, posted marked late.
LATE_WINDOW = timedelta(hours=24)
EMPTY = (
    "Write at least one answer, or tick “Nothing to report today” at the bottom of the form "
    "to post that."
)


def answer_block(index: int) -> str:
    return f"answer_{index}"


def thread_key(day: date) -> str:
    return f"{day.isoformat()}/thread"


def is_blocker_question(question: str) -> bool:
    return "blocker" in question.lower()


def is_experiment_question(question: str) -> bool:
    return "experiment" in question.lower()


def experiment_results(session: Session, *, team_id: str, answer_id: int) -> str:
    """What someone answered to the experiments question, to prefill an experiment with."""
    answer = session.scalar(
        select(StandupAnswer).where(StandupAnswer.team_id == team_id, StandupAnswer.id == answer_id)
    )
    if answer is None:
        raise NotFound("That standup answer is gone. Log the result with `/experiment` instead.")
    return "\n".join(a for q, a in answer.answers.items() if is_experiment_question(q) and a)


def _answer_record(row: StandupAnswer, *, ritual: Ritual, day: date) -> AnswerRecord:
    return AnswerRecord(
        id=row.id,
        team_id=row.team_id,
        ritual_id=ritual.id,
        channel_id=ritual.channel_id,
        day=day,
        user_id=row.user_id,
        answers=dict(row.answers),
        message_ts=row.message_ts,
        edited=row.edited_at is not None,
        late=row.submitted_at >= StandupRecord.of(ritual).cutoff_for(row.user_id, day),
    )


def closed_to(
    record: StandupRecord, *, user_id: str, day: date, now: datetime, answered: bool
) -> str | None:
    """Why `user_id` can no longer answer for `day`, if they can't: after the cut-off an
    answer given is final, and a first one is taken, marked late, for LATE_WINDOW more."""
    cutoff = record.cutoff_for(user_id, day)
    if now < cutoff:
        return None
    if answered:
        return (
            f"The standup for {day:%a %d %b} closed at its cut-off, so your answer can no "
            "longer be changed, and nothing was saved. Answer the next one when it comes."
        )
    if now >= cutoff + LATE_WINDOW:
        return (
            f"The standup for {day:%a %d %b} closed a day ago, so this was not saved. "
            "Answer the next one when it comes."
        )
    return None


def save_answer(
    session: Session,
    *,
    team_id: str,
    ritual_id: int,
    day: date,
    user_id: str,
    answers: dict[str, str],
    now: datetime,
    nothing_to_report: bool = False,
) -> AnswerRecord:
    """Store (or replace) a person's answers for the day, until their cut-off (a first one
    also after it, marked late: `closed_to`). Blank answers
    are saved only as the explicit choice of `nothing_to_report`: a Post pressed on an empty
    form by mistake is refused, with the way to say so."""
    if not nothing_to_report and not any(a.strip() for a in answers.values()):
        raise ValidationFailed({answer_block(0): EMPTY})
    ritual = ritual_row(session, team_id=team_id, ritual_id=ritual_id)
    if any(len(a) > ANSWER_MAX for a in answers.values()):
        raise UsageError(f"Keep each answer under {ANSWER_MAX} characters; nothing was saved.")
    thread = _thread_row(session, team_id=team_id, ritual=ritual, day=day, now=now)
    row = session.scalar(
        select(StandupAnswer).where(
            StandupAnswer.run_id == thread.id, StandupAnswer.user_id == user_id
        )
    )
    closed = closed_to(
        StandupRecord.of(ritual), user_id=user_id, day=day, now=now, answered=row is not None
    )
    if closed:
        raise UsageError(closed)
    if row is None:
        row = StandupAnswer(
            team_id=team_id, run_id=thread.id, user_id=user_id, answers=answers, submitted_at=now
        )
        session.add(row)
    else:
        row.answers, row.edited_at = answers, now
    session.flush()
    return _answer_record(row, ritual=ritual, day=day)


def _thread_row(session: Session, *, team_id: str, ritual: Ritual, day: date, now: datetime):
    queries.claim_run(
        session, team_id=team_id, ritual_id=ritual.id, occurrence=thread_key(day), scheduled_for=now
    )
    row = run_row(session, team_id=team_id, ritual_id=ritual.id, occurrence=thread_key(day))
    assert row is not None
    return row


def answer_of(
    session: Session, *, team_id: str, ritual_id: int, day: date, user_id: str
) -> AnswerRecord | None:
    ritual = ritual_row(session, team_id=team_id, ritual_id=ritual_id)
    thread = run_row(session, team_id=team_id, ritual_id=ritual_id, occurrence=thread_key(day))
    if thread is None:
        return None
    row = session.scalar(
        select(StandupAnswer).where(
            StandupAnswer.run_id == thread.id,
            StandupAnswer.user_id == user_id,
            StandupAnswer.team_id == team_id,
        )
    )
    return _answer_record(row, ritual=ritual, day=day) if row else None


def answers_of_day(
    session: Session, *, team_id: str, ritual_id: int, day: date
) -> list[AnswerRecord]:
    ritual = ritual_row(session, team_id=team_id, ritual_id=ritual_id)
    thread = run_row(session, team_id=team_id, ritual_id=ritual_id, occurrence=thread_key(day))
    if thread is None:
        return []
    rows = session.scalars(
        select(StandupAnswer)
        .where(StandupAnswer.run_id == thread.id, StandupAnswer.team_id == team_id)
        .order_by(StandupAnswer.submitted_at, StandupAnswer.id)
    )
    return [_answer_record(row, ritual=ritual, day=day) for row in rows]


def summary(
    session: Session, *, team_id: str, ritual_id: int, day: date, people: Iterable[str]
) -> DaySummary:
    """The day at its cut-off: who answered, who was prompted and did not, who was away,
    the blockers raised, and the response rates of the day's people over four weeks."""
    first, last = participation.rate_window(day)
    history = participation.rolls(
        session, team_id=team_id, ritual_id=ritual_id, first=first, last=last, people=people
    )
    today = next((roll for roll in history if roll.day == day), None)
    answers = answers_of_day(session, team_id=team_id, ritual_id=ritual_id, day=day)
    blockers = tuple(
        (a.user_id, text)
        for a in answers
        for question, text in a.answers.items()
        if is_blocker_question(question) and text.strip() and not NOTHING.match(text.strip())
    )
    missing = sorted(today.silent) if today else []
    away = sorted(today.away) if today else []
    taking_part = {a.user_id for a in answers} | set(missing) | set(away)
    return DaySummary(
        day=day,
        answered=tuple(a.user_id for a in answers),
        missing=tuple(missing),
        blockers=blockers,
        away=tuple(away),
        rates=tuple(r for r in participation.rates(history) if r.user_id in taking_part),
    )
