"""`/ritual`: search the team's memory, export it, and the list of ritual commands."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot import triggers
from bot.commands import Export, Help, Search, parse_ritual
from bot.export import service as export
from bot.ids import Command
from bot.search import render
from bot.search import service as search
from handlers.errors import after_ack
from handlers.follow_ups import FollowUps
from jobs import export as export_job
from jobs.outbox import Sender
from storage.db import Database


def ritual_command(
    ack: Ack,
    command: dict[str, Any],
    db: Database,
    follow_ups: FollowUps,
    sender: Sender,
    trigger: triggers.Trigger,
) -> None:
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
        case Export(number):
            team_id, user_id = command["team_id"], command["user_id"]
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


def register(app: App) -> None:
    app.command(Command.RITUAL)(after_ack(ritual_command))
