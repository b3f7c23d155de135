"""What a standup answer queues, given by the form or by replies in the DM: its post in
the day's thread, the DM linking to it and the blockers followed up; and, for a reply in
the DM, the bot's answer to it (the next question, a skip confirmed). All in the outbox."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.standup import render_dm
from bot.standup import service as standups
from bot.standup.answers import AnswerRecord
from bot.standup.replies import DONE, Heard
from bot.standup.service import StandupRecord
from jobs import blockers as standup_blockers
from jobs import standup_answers
from storage import outbox
from storage.outbox import Outgoing


def queue_answered(
    session: Session, *, record: StandupRecord, answer: AnswerRecord, still_blocked: str | None
) -> list[int]:
    """The saved answer's post (or edit) and confirmation, then the notice of a blocker
    open two standups in a row, if any: the ids to send, the post's first."""
    queued = standup_answers.queue_answer(session, record=record, answer=answer)
    notice = standup_blockers.queue_follow_up(
        session, record=record, answer=answer, still_blocked=still_blocked
    )
    return [*queued, *([notice] if notice else [])]


def queue_heard(session: Session, *, heard: Heard, reply_key: str) -> list[int]:
    """What a reply in the DM sends: the answer's posts once it is complete, and the bot's
    reply in the DM (the next question; an edited answer's word that it is updated), keyed
    by the reply it answers."""
    record = heard.record
    queued = []
    if heard.kind == DONE and heard.answer is not None:
        queued = queue_answered(
            session, record=record, answer=heard.answer, still_blocked=heard.still_blocked
        )
    text = render_dm.reply(heard)
    if text is None:
        return queued
    said = Outgoing(
        team_id=record.team_id,
        what="the standup's next question",
        channel=heard.user_id,
        text=text,
        key=standups.message_key(record.id, heard.day, "dm", heard.user_id, reply_key),
    )
    return [*queued, outbox.enqueue(session, said)]
