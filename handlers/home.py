"""The App Home tab: the team's board."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.board import service as board
from bot.board.render import home
from handlers.errors import after_ack
from storage.db import Database


def publish_home(
    event: dict[str, Any], context: dict[str, Any], client: WebClient, db: Database
) -> None:
    if event.get("tab", "home") != "home":
        return
    with db.transaction() as session:
        shown = board.for_viewer(session, team_id=context["team_id"], user_id=event["user"])
    client.views_publish(user_id=event["user"], view=home(shown))


def register(app: App) -> None:
    app.event("app_home_opened")(after_ack(publish_home))
