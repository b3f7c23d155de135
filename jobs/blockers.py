"""Blockers followed up (bot/standup/blockers.py): what a day's answer says of them, and
the one DM to the standup's owner about a blocker still open at a second standup."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.standup import blockers, render_summary
from bot.standup.answers import AnswerRecord
from bot.standup.service import StandupRecord
from storage import outbox
from storage.outbox import Outgoing


def owner_key(blocker_id: int) -> str:
    return f"blocker:{blocker_id}:owner"


def queue_follow_up(
    session: Session, *, record: StandupRecord, answer: AnswerRecord, still_blocked: str | None
) -> int | None:
    """Record what the answer says of its author's blockers; the id of the DM that tells the
    standup's owner of one open two standups in a row (queued once per blocker), if any."""
    standing = blockers.follow_up(
        session,
        team_id=record.team_id,
        ritual_id=record.id,
        user_id=answer.user_id,
        day=answer.day,
        answers=answer.answers,
        still_blocked=still_blocked,
    )
    if standing is None or record.owner_id == answer.user_id:
        return None
    return outbox.enqueue(
        session,
        Outgoing(
            team_id=record.team_id,
            what=f"a notice of <@{answer.user_id}>'s blocker",
            channel=record.owner_id,
            text=render_summary.blocker_notice(record=record, blocker=standing, on=answer.day),
            key=owner_key(standing.id),
        ),
    )
