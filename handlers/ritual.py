"""`/ritual`: search the team's memory, connect trackers, and the list of ritual commands."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.commands import Connect, Connections, Disconnect, Help, Search, parse_ritual
from bot.ids import Command
from bot.permissions import check_admin
from bot.search import render
from bot.search import service as search
from bot.trackers import clients
from bot.trackers import render as render_trackers
from bot.trackers import service as trackers
from bot.trackers.service import require_box
from handlers.errors import after_ack
from handlers.people import People
from storage.db import Database
from storage.secrets import SecretBox


def ritual_command(
    ack: Ack,
    respond: Respond,
    command: dict[str, Any],
    db: Database,
    people: People,
    client: WebClient,
    secrets: SecretBox | None,
) -> None:
    team_id, user_id = command["team_id"], command["user_id"]
    match parse_ritual(command.get("text") or ""):
        case Help():
            ack(text=render.HELP, response_type="ephemeral")
        case Search(words):
            with db.reading() as session:
                result = search.search(session, team_id=command["team_id"], text=words)
            ack(
                text=render.results_text(result, query=words),
                blocks=render.results(result, query=words, domain=command.get("team_domain")),
                response_type="ephemeral",
            )
        case Connect(kind, url, token):
            check_admin(people.actor(client, team_id=team_id, user_id=user_id), verb="connect it")
            if token:
                require_box(secrets)
            ack(text=render_trackers.checking(kind, url), response_type="ephemeral")
            saved = clients.check(kind, url, token)
            with db.transaction() as session:
                trackers.connect(
                    session,
                    team_id=team_id,
                    kind=kind,
                    url=saved,
                    token=token,
                    user_id=user_id,
                    box=secrets,
                )
            respond(
                text=render_trackers.connected(kind, saved, with_token=bool(token)),
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


def register(app: App) -> None:
    app.command(Command.RITUAL)(after_ack(ritual_command))
