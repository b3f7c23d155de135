"""A standup answered by replying in the DM: each message there (`message.im`), after
Slack's event was acknowledged (Bolt acks events before any listener runs)."""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot import triggers
from bot.standup import replies
from handlers.errors import after_ack
from handlers.slack import tell_delivery
from jobs import profiles, standup_dm
from jobs.outbox import Sender
from storage.db import UNAVAILABLE, Database
from storage.types import utcnow

log = logging.getLogger(__name__)

# One reply of a person at a time in this process: the question asked next (or the answer
# posted) goes out in the order their replies were taken, never a later question first.
_one_at_a_time: defaultdict[tuple[str, str], threading.Lock] = defaultdict(threading.Lock)


def is_reply(event: dict[str, Any]) -> bool:
    """A person's own new message in their DM with the bot, a file attached or not: not the
    bot's, not an edit or a deletion (those carry another subtype), not in a thread."""
    return (
        event.get("channel_type") == "im"
        and event.get("subtype") in (None, "file_share")
        and not event.get("bot_id")
        and bool(event.get("user"))
        and event.get("thread_ts") in (None, event.get("ts"))
    )


def hear_reply(
    event: dict[str, Any],
    context: dict[str, Any],
    client: WebClient,
    db: Database,
    sender: Sender,
    trigger: triggers.Trigger,
) -> None:
    """Store the reply on the person's open standup prompt and queue what it calls for (the
    next question, or the answer's post) in one commit; then send it."""
    if not is_reply(event):
        return
    team_id, user_id, now = context["team_id"], event["user"], utcnow()
    profiles.ensure(db=db, client=client, team_id=team_id, user_id=user_id, now=now)

    def take(session: Session) -> tuple[replies.Heard, list[int]]:
        triggers.once(session, trigger=trigger)
        heard = replies.hear(
            session, team_id=team_id, user_id=user_id, text=event.get("text") or "", now=now
        )
        return heard, standup_dm.queue_heard(session, heard=heard, reply_key=event["ts"])

    with _one_at_a_time[(team_id, user_id)]:
        # Slack has its ack: a busy database is waited out rather than the reply lost.
        heard, queued = db.patiently(take)
        try:
            delivery = sender.send_now(queued, team_id=team_id, person=user_id)
        except UNAVAILABLE:
            # Stored, and in the outbox: the clock's sweep sends it within the minute.
            log.info("a standup reply's messages left to the outbox's sweep: database busy")
            return
    tell_delivery(
        delivery,
        saved="Your reply is saved",
        what=f"your answer in <#{heard.record.channel_id}>"
        if heard.kind == replies.DONE
        else "my answer to it",
        respond=None,
        client=client,
        user_id=user_id,
    )


def register(app: App) -> None:
    app.event("message")(after_ack(hear_reply))
