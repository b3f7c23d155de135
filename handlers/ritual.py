"""`/ritual`: search the team's memory, export it, the experiments webhook's token, and the
list of ritual commands."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import triggers
from bot.commands import (
    ConnectWebhook,
    DisconnectWebhook,
    Export,
    Help,
    Search,
    parse_ritual,
)
from bot.export import service as export
from bot.hooks import render as render_hooks
from bot.hooks import service as hooks
from bot.ids import Command
from bot.search import render
from bot.search import service as search
from handlers.errors import after_ack
from handlers.follow_ups import FollowUps
from handlers.people import People
from jobs import export as export_job
from jobs.outbox import Sender
from storage.db import Database


def ritual_command(
    ack: Ack,
    command: dict[str, Any],
    client: WebClient,
    db: Database,
    people: People,
    follow_ups: FollowUps,
    sender: Sender,
    trigger: triggers.Trigger,
) -> None:
    team_id, user_id = command["team_id"], command["user_id"]
    match parse_ritual(command.get("text") or ""):
        case Help():
            ack(text=render.HELP, response_type="ephemeral")
        case Search(words):
            with db.reading() as session:
                result = search.search(session, team_id=team_id, text=words)
            ack(
                text=render.results_text(result, query=words),
                blocks=render.results(result, query=words, domain=command.get("team_domain")),
                response_type="ephemeral",
            )
        case Export(number):
            with db.transaction() as session:
                size = export.size(session, team_id=team_id, number=number)
                triggers.once(session, trigger=trigger)
            ack(text=export.started(number), response_type="ephemeral")
            follow_ups.submit(
                export_job.run,
                db=db,
                sender=sender,
                team_id=team_id,
                user_id=user_id,
                number=number,
                size=size,
                key=f"export:{trigger.key}",
            )
        # -- the experiments webhook --
        case ConnectWebhook():
            actor = people.actor(client, team_id=team_id, user_id=user_id)
            with db.transaction() as session:
                triggers.once(session, trigger=trigger)  # a redelivery shows no second token
                connected = hooks.connect(
                    session, team_id=team_id, actor=actor, channel_id=command["channel_id"]
                )
            ack(text=render_hooks.connected_text(connected), response_type="ephemeral")
        case DisconnectWebhook():
            actor = people.actor(client, team_id=team_id, user_id=user_id)
            with db.transaction() as session:
                hooks.disconnect(session, team_id=team_id, actor=actor)
            ack(text=render_hooks.DISCONNECTED, response_type="ephemeral")
        # -- end of the experiments webhook --


def register(app: App) -> None:
    app.command(Command.RITUAL)(after_ack(ritual_command))
