"""`/ritual`: search the team's memory, and the list of ritual commands."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.commands import Help, Search, parse_ritual
from bot.ids import Command
from bot.search import render
from bot.search import service as search
from handlers.errors import after_ack
from storage.db import Database


def ritual_command(ack: Ack, command: dict[str, Any], db: Database) -> None:
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


def register(app: App) -> None:
    app.command(Command.RITUAL)(after_ack(ritual_command))
