"""A standup answer's messages: its post in the day's thread (in its author's name when
Slack told us their profile), the DM that links them to it, and the channel's notice when
its standup's settings change. Each goes through the outbox (jobs/outbox.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.standup import render
from bot.standup.answers import AnswerRecord
from bot.standup.service import StandupRecord
from jobs.standup_thread import day_thread, key
from storage import outbox, people
from storage.outbox import OutboxState, Outgoing, Relation

POSTED = "posted"


def queue_answer(
    session: Session, *, record: StandupRecord, answer: AnswerRecord, unless_queued: bool = False
) -> list[int]:
    """The answer posted in the day's thread, or its posted message edited to match it; the
    ids to send, the answer's own first. With `unless_queued`, only an answer whose post
    is missing or was refused is queued (again)."""
    posted = outbox.of_record(
        session, team_id=record.team_id, slot="standup_answer", record_number=answer.id
    )
    if posted is not None and posted.state != OutboxState.FAILED:
        if unless_queued:
            return []
        text, blocks = render.answer(
            record=record, answer=answer, as_person=posted.username is not None
        )
        change = outbox.edit(
            session, team_id=record.team_id, of=posted.id, text=text, blocks=blocks
        )
        return [change] if change is not None else []
    # In their own name when Slack told us it (the roster, or users.info); else the bot's.
    profile = people.profile_of(session, team_id=record.team_id, user_id=answer.user_id)
    text, blocks = render.answer(record=record, answer=answer, as_person=profile is not None)
    thread = day_thread(session, record=record, day=answer.day, again=True)
    queued = outbox.enqueue(
        session,
        Outgoing(
            team_id=record.team_id,
            what=f"<@{answer.user_id}>'s standup answer of {answer.day:%a %d %b}",
            channel=record.channel_id,
            text=text,
            blocks=blocks,
            after=thread,
            relation=Relation.REPLY,
            slot="standup_answer",
            record_number=answer.id,
            owner=answer.user_id,
            username=profile.name if profile else None,
            icon_url=profile.image_url if profile else None,
        ),
    )
    # Once it is posted, a DM to its author with the link to it: one per post.
    confirmation = outbox.enqueue(
        session,
        Outgoing(
            team_id=record.team_id,
            what=f"the link to <@{answer.user_id}>'s standup answer",
            channel=answer.user_id,
            text=render.posted(record=record, day=answer.day),
            after=queued,
            relation=Relation.FOLLOWS,
            links_after=True,
            key=f"{key(record, answer.day, POSTED, answer.user_id)}#{queued}",
        ),
    )
    return [queued, thread, confirmation]


def queue_saved(session: Session, *, record: StandupRecord, user_id: str) -> int:
    """The channel hears that its standup was set up or changed; `user_id` if it can't."""
    announcement = Outgoing(
        team_id=record.team_id,
        what="the standup's new settings",
        channel=record.channel_id,
        text=render.saved(record),
        owner=user_id,
    )
    return outbox.enqueue(session, announcement)
