"""Type-ahead menus in forms: the options Slack asks the app for as someone types."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.experiments import choices
from bot.experiments.modals import problem_option
from bot.ids import ActionId
from storage.db import Database


def problem_choices(ack: Ack, body: dict[str, Any], db: Database) -> None:
    """The open problems of the person's workspace that match what they typed.

    Only a read, answered in the request thread: Slack shows nothing if it waits too long.
    """
    with db.reading() as session:
        found = choices.choosable_problems(
            session, team_id=body["team"]["id"], typed=str(body.get("value") or "")
        )
    ack(options=[problem_option(p) for p in found])


def register(app: App) -> None:
    app.options(ActionId.PROBLEM_CHOICE)(problem_choices)
