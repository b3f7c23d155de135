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
    show_board(client, db, team_id=context["team_id"], user_id=event["user"])


def show_board(client: WebClient, db: Database, *, team_id: str, user_id: str) -> None:
    """Publish the person's board on App Home, as it stands now."""
    with db.transaction() as session:
        shown = board.for_viewer(session, team_id=team_id, user_id=user_id)
    client.views_publish(user_id=user_id, view=home(shown))


def register(app: App) -> None:
    app.event("app_home_opened")(after_ack(publish_home))
