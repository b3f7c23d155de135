"""The day's standup thread: the message that the day's answers and its summary reply in,
queued once per standup and day (again only if Slack refused it and an answer or the
cut-off needs it)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bot.standup import render
from bot.standup import service as standups
from bot.standup.service import StandupRecord
from storage import outbox
from storage.outbox import OutboxState, Outgoing

THREAD = "thread"


def key(record: StandupRecord, day: date, *parts: str) -> str:
    return standups.message_key(record.id, day, *parts)


def day_thread(session: Session, *, record: StandupRecord, day: date, again: bool) -> int:
    """The outbox id of the day's thread, queued if need be. With `again`, a thread Slack
    refused before (say, the bot was not in the channel) is queued anew: an answer or the
    cut-off does that, a prompt step does not (its owner was told once already)."""
    base = key(record, day, THREAD)
    last = outbox.latest(session, team_id=record.team_id, prefix=base)
    if last is not None and (last.state != OutboxState.FAILED or not again):
        return last.id
    thread = Outgoing(
        team_id=record.team_id,
        what=f"the standup thread of {day:%a %d %b}",
        channel=record.channel_id,
        text=render.thread_text(record=record, day=day),
        blocks=render.thread(record=record, day=day),
        owner=record.owner_id,
        key=base if last is None else f"{base}#{last.id}",
    )
    return outbox.enqueue(session, thread)
