"""`/digest`: preview, post now, schedule weekly, turn off."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import triggers
from bot.blocks import context
from bot.digest import render_since, replies
from bot.digest import ritual as digest_schedule
from bot.digest.ritual import Help, PostNow, Preview, Schedule, TurnOff
from bot.errors import UsageError
from bot.ids import Command
from handlers.errors import after_ack
from jobs import digest as job
from jobs.outbox import Sender
from storage.db import Database
from storage.types import utcnow

PREVIEW_BLOCKS = 49  # one block of each preview message is kept for the note
# Slack accepts five messages through a response_url; the last one may be the notice.
PREVIEW_FOLLOW_UPS = 5


def user_timezone(client: WebClient, user_id: str) -> str:
    """The person's timezone from their Slack profile; UTC when Slack can't say."""
    try:
        tz = client.users_info(user=user_id)["user"].get("tz")
    except (SlackApiError, OSError):
        return "UTC"
    try:
        return digest_schedule.timezone(tz or "UTC")
    except UsageError:
        return "UTC"


def digest_command(
    ack: Ack,
    command: dict[str, Any],
    client: WebClient,
    respond: Respond,
    db: Database,
    sender: Sender,
    trigger: triggers.Trigger,
) -> None:
    team_id, user_id, channel_id = command["team_id"], command["user_id"], command["channel_id"]
    match digest_schedule.parse(command.get("text") or ""):
        case Help():
            ack(text=replies.HELP, response_type="ephemeral")
        case Preview():
            with db.reading() as session:
                state, _, messages = job.compose(
                    session,
                    team_id=team_id,
                    channel_id=channel_id,
                    end=utcnow(),
                    limit=PREVIEW_BLOCKS,
                )
            first, *rest = messages
            note = [context(render_since.preview_note(state))]
            ack(text=first["text"], blocks=first["blocks"] + note, response_type="ephemeral")
            shown = rest if len(rest) <= PREVIEW_FOLLOW_UPS else rest[: PREVIEW_FOLLOW_UPS - 1]
            for message in shown:
                respond(
                    text=message["text"],
                    blocks=message["blocks"] + note,
                    response_type="ephemeral",
                    replace_original=False,
                )
            if len(shown) < len(rest):
                respond(
                    text=replies.preview_cut(len(rest) - len(shown)),
                    response_type="ephemeral",
                    replace_original=False,
                )
        case PostNow(full):
            link = job.link_to_earlier(
                db, client, team_id=team_id, channel_id=channel_id, end=utcnow()
            )
            with db.transaction() as session:
                triggers.once(session, trigger=trigger)
                claim = digest_schedule.claim_now(
                    session,
                    team_id=team_id,
                    channel_id=channel_id,
                    user_id=user_id,
                    request_key=command["trigger_id"],
                )
                queued = claim.run and job.enqueue(
                    session,
                    ritual=claim.ritual,
                    run=claim.run,
                    end=claim.run.scheduled_for,
                    owner=None,
                    full=full,
                    link=link,
                )
            if not queued:
                ack(
                    text=replies.already_posted(claim.posted_at or utcnow(), now=utcnow()),
                    response_type="ephemeral",
                )
                return
            ack(text=render_since.posting(queued.state), response_type="ephemeral")
            with db.transaction() as session:
                chart = job.enqueue_chart(session, ritual=claim.ritual, queued=queued)
            delivery = sender.send_now(
                [*queued.ids, *([chart] if chart else [])], team_id=team_id, person=user_id
            )
            if delivery.refused or delivery.waiting:
                text = (
                    replies.not_posted(delivery.refused)
                    if delivery.refused
                    else replies.delayed(delivery.waiting or "")
                )
                respond(text=text, response_type="ephemeral", replace_original=False)
        case Schedule(weekday, local_time, timezone):
            timezone = timezone or user_timezone(client, user_id)
            with db.transaction() as session:
                triggers.once(session, trigger=trigger)
                ritual = digest_schedule.schedule(
                    session,
                    team_id=team_id,
                    channel_id=channel_id,
                    user_id=user_id,
                    weekday=weekday,
                    local_time=local_time,
                    timezone=timezone,
                )
            ack(text=replies.scheduled(ritual, now=utcnow()), response_type="ephemeral")
        case TurnOff():
            with db.transaction() as session:
                triggers.once(session, trigger=trigger)
                ritual = digest_schedule.turn_off(session, team_id=team_id, channel_id=channel_id)
            ack(text=replies.turned_off(ritual), response_type="ephemeral")


def register(app: App) -> None:
    app.command(Command.DIGEST)(after_ack(digest_command))
