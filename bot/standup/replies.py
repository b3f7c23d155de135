"""A standup answered by replying in the DM: each reply stored on the person's open
prompt (their latest, in `standup_conversations`), the next question asked, and the last
reply saving the day's answer exactly as the Answer form does (`answers.save_answer`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import UsageError
from bot.standup import answers as standup_answers
from bot.standup import away as time_away
from bot.standup import blockers
from bot.standup import conversation as talk
from bot.standup import service as standups
from bot.standup.answers import AnswerRecord, is_blocker_question
from bot.standup.blockers import OpenBlocker
from bot.standup.service import ANSWER_MAX, StandupRecord
from storage.rituals import StandupConversation
from storage.upsert import insert

ASKED, DONE, SKIPPED, AWAY = "asked", "done", "skipped", "away"
NO_PROMPT = (
    "You have no standup waiting for an answer here. When your next standup prompt comes, "
    "reply to it in this DM, one question at a time. To set up or change a standup, type "
    "`/standup` in its channel."
)


@dataclass(frozen=True, kw_only=True)
class Heard:
    """What one reply did: the next question asked, the answer saved, or the day skipped."""

    kind: str
    record: StandupRecord
    day: date
    user_id: str
    asking: int | None = None
    # The person's blocker from an earlier standup, still open: the blocker question asks.
    blocker: OpenBlocker | None = None
    answer: AnswerRecord | None = None
    still_blocked: str | None = None
    away: tuple[date, date] | None = None
    # "edit": the day's answers asked again from the first question.
    again: bool = False
    # Done, and another standup's questions it interrupted are asked again: their next one.
    resume: Heard | None = None


def open_conversations(
    session: Session, *, record: StandupRecord, day: date, users: Iterable[str]
) -> None:
    """Each prompted person's conversation for `day`, waiting for the first reply; kept as
    it is for who has one (a prompt step run twice)."""
    table = StandupConversation.__table__
    rows = [
        {"team_id": record.team_id, "ritual_id": record.id, "user_id": u, "day": day} for u in users
    ]
    if rows:
        statement = insert(session, table).on_conflict_do_nothing(
            index_elements=["ritual_id", "day", "user_id"]
        )
        session.execute(statement, rows)


def answered_by_form(
    session: Session, *, team_id: str, ritual_id: int, day: date, user_id: str
) -> None:
    """The day's answer came by the form: the conversation asks nothing more (a reply then
    says how to change it), whatever it had been told so far."""
    row = session.scalar(
        select(StandupConversation).where(
            StandupConversation.team_id == team_id,
            StandupConversation.ritual_id == ritual_id,
            StandupConversation.day == day,
            StandupConversation.user_id == user_id,
        )
    )
    if row is not None:
        row.asking = None


def _latest(
    session: Session, team_id: str, user_id: str, *where: Any
) -> StandupConversation | None:
    return session.scalar(
        select(StandupConversation)
        .where(StandupConversation.team_id == team_id, StandupConversation.user_id == user_id)
        .where(*where)
        .order_by(StandupConversation.day.desc(), StandupConversation.prompted_at.desc())
        .limit(1)
        # Two replies typed in quick succession take turns: neither loses the other's answer.
        .with_for_update()
    )


def _interrupted(session: Session, *, row: StandupConversation) -> StandupConversation | None:
    """Another standup's conversation of the same day, left half answered when this one's
    prompt came: taken up again once this one is done."""
    return _latest(
        session,
        row.team_id,
        row.user_id,
        StandupConversation.id != row.id,
        StandupConversation.day == row.day,
        StandupConversation.asking > 0,
    )


def _open_row(session: Session, *, team_id: str, user_id: str) -> StandupConversation:
    """The person's latest prompt; once it is done, one it interrupted half answered."""
    row = _latest(session, team_id, user_id)
    if row is None:
        raise UsageError(NO_PROMPT)
    if row.asking is None:
        return _interrupted(session, row=row) or row
    return row


def hear(session: Session, *, team_id: str, user_id: str, text: str, now: datetime) -> Heard:
    """Take `text`, a reply in the DM, as the answer to the question asked on the person's
    open prompt, or as what it says (skip, away until, edit, nothing to report)."""
    said = talk.parse(text)
    row = _open_row(session, team_id=team_id, user_id=user_id)
    record = standups.get(session, team_id=team_id, ritual_id=row.ritual_id)
    day = row.day
    existing = standup_answers.answer_of(
        session, team_id=team_id, ritual_id=record.id, day=day, user_id=user_id
    )
    blocker = blockers.open_before(session, team_id=team_id, ritual_id=record.id, day=day).get(
        user_id
    )
    heard = {"record": record, "day": day, "user_id": user_id, "blocker": blocker}
    match said:
        case talk.Skip() | talk.AwayUntil():
            if existing is not None:
                raise UsageError(
                    f"You answered the standup of {day:%a %d %b} already, so it can't be "
                    "skipped. Reply `edit` to change your answer; for later days, reply "
                    "`away until 2026-12-31`."
                )
            last = said.until if isinstance(said, talk.AwayUntil) else day
            time_away.declare_away(
                session, team_id=team_id, user_id=user_id, starts_on=day, ends_on=last
            )
            row.asking = None
            kind = AWAY if isinstance(said, talk.AwayUntil) else SKIPPED
            return Heard(kind=kind, away=(day, last), **heard)
        case talk.Edit():
            _still_open(record, user_id=user_id, day=day, now=now, answered=existing is not None)
            row.answers, row.asking = {}, 0
            return Heard(kind=ASKED, asking=0, again=True, **heard)
    if row.asking is None:
        if existing is None:
            raise UsageError(
                f"You skipped the standup of {day:%a %d %b}, so nothing was saved. Answer the "
                "next one when it comes."
            )
        raise UsageError(
            f"Your answer for {day:%a %d %b} is posted. Reply `edit` to answer it again."
        )
    _still_open(record, user_id=user_id, day=day, now=now, answered=existing is not None)
    questions = record.questions
    # The question asked, from the answers so far: the standup's questions may have
    # changed since the prompt (they are matched by their text).
    asked = talk.next_question(questions, row.answers)
    if isinstance(said, talk.Answer) and len(said.text) > ANSWER_MAX:
        raise UsageError(
            f"Keep each answer under {ANSWER_MAX} characters; that one was not saved. "
            "Reply again, shorter."
        )
    if isinstance(said, talk.NothingToReport) or asked is None:
        answers = talk.nothing_left(questions, row.answers)
    else:
        answers = talk.answered(questions, row.answers, asked, said.text)
    asking = talk.next_question(questions, answers)
    row.answers, row.asking = answers, asking
    if asking is not None:
        return Heard(kind=ASKED, asking=asking, **heard)
    answer = standup_answers.save_answer(
        session,
        team_id=team_id,
        ritual_id=record.id,
        day=day,
        user_id=user_id,
        answers=answers,
        now=now,
        nothing_to_report=not any(a.strip() for a in answers.values()),
    )
    return Heard(
        kind=DONE,
        answer=answer,
        still_blocked=_still_blocked(answers, blocker),
        resume=_taken_up_again(session, row=row),
        **heard,
    )


def _taken_up_again(session: Session, *, row: StandupConversation) -> Heard | None:
    """The next question of the standup this one interrupted, if any."""
    other = _interrupted(session, row=row)
    if other is None:
        return None
    record = standups.get(session, team_id=other.team_id, ritual_id=other.ritual_id)
    blocker = blockers.open_before(
        session, team_id=other.team_id, ritual_id=other.ritual_id, day=other.day
    ).get(other.user_id)
    return Heard(
        kind=ASKED,
        record=record,
        day=other.day,
        user_id=other.user_id,
        asking=other.asking,
        blocker=blocker,
    )


def _still_open(
    record: StandupRecord, *, user_id: str, day: date, now: datetime, answered: bool
) -> None:
    closed = standup_answers.closed_to(record, user_id=user_id, day=day, now=now, answered=answered)
    if closed:
        raise UsageError(closed)


def _still_blocked(answers: dict[str, str], blocker: OpenBlocker | None) -> str | None:
    """What the answers say of an earlier blocker, as the form's question would: a blocker
    question answered with "none" resolves it; anything else, "nothing to report" included,
    keeps it open, as the form's question does, prefilled "still"."""
    if blocker is None:
        return None
    said = [a for q, a in answers.items() if is_blocker_question(q) and a.strip()]
    if said and blockers.raised(answers) is None:
        return blockers.RESOLVED
    return blockers.STILL
