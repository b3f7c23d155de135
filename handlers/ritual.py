"""`/ritual`: search the team's memory, export it, connect trackers, the experiments
webhook's token, and the list of ritual commands."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import triggers
from bot.commands import Help
from bot.export import service as export
from bot.hooks import render as render_hooks
from bot.hooks import service as hooks
from bot.ids import Command
from bot.permissions import check_admin
from bot.ritual_commands import (
    Connect,
    Connections,
    ConnectWebhook,
    Disconnect,
    DisconnectWebhook,
    Export,
    Search,
    parse_ritual,
)
from bot.search import render
from bot.search import service as search
from bot.trackers import clients
from bot.trackers import render as render_trackers
from bot.trackers import service as trackers
from bot.trackers.service import require_box
from handlers.errors import after_ack
from handlers.follow_ups import FollowUps
from handlers.people import People
from jobs import export as export_job
from jobs.outbox import Sender
from storage.db import Database
from storage.secrets import SecretBox


def ritual_command(
    ack: Ack,
    respond: Respond,
    command: dict[str, Any],
    client: WebClient,
    db: Database,
    people: People,
    follow_ups: FollowUps,
    sender: Sender,
    trigger: triggers.Trigger,
    secrets: SecretBox | None,
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
        case Connect(kind, url, token, entity):
            check_admin(people.actor(client, team_id=team_id, user_id=user_id), verb="connect it")
            if token:
                require_box(secrets)
            ack(text=render_trackers.checking(kind, url), response_type="ephemeral")
            saved = clients.check(kind, url, token, entity=entity)
            with db.transaction() as session:
                trackers.connect(
                    session,
                    team_id=team_id,
                    kind=kind,
                    url=saved,
                    token=token,
                    user_id=user_id,
                    box=secrets,
                    entity=entity,
                )
            respond(
                text=render_trackers.connected(kind, saved, with_token=bool(token), entity=entity),
                response_type="ephemeral",
                replace_original=False,
            )
        case Connections():
            with db.reading() as session:
                found = trackers.connections(session, team_id=team_id)
            ack(text=render_trackers.connections(found), response_type="ephemeral")
        case Disconnect(kind):
            check_admin(
                people.actor(client, team_id=team_id, user_id=user_id), verb="disconnect it"
            )
            with db.transaction() as session:
                gone = trackers.disconnect(session, team_id=team_id, kind=kind)
            ack(
                text=render_trackers.disconnected(kind, was_connected=gone),
                response_type="ephemeral",
            )
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


def register(app: App) -> None:
    app.command(Command.RITUAL)(after_ack(ritual_command))
