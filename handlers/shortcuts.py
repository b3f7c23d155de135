"""Message shortcuts: "Capture as problem" and "Log as experiment", prefilled from the message."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.forms import MessageRef
from bot.ids import CallbackId
from bot.prefill import experiment_prefill, problem_prefill
from bot.problems.modals import problem_modal
from handlers.errors import after_ack
from handlers.experiment_form import open_experiment_form
from storage.db import Database


def _source(body: dict[str, Any]) -> MessageRef:
    return MessageRef(channel=body["channel"]["id"], ts=body["message_ts"])


def capture_as_problem(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    ack()
    channel = body["channel"]["id"]
    client.views_open(
        trigger_id=body["trigger_id"],
        view=problem_modal(
            channel_id=channel,
            user_id=body["user"]["id"],
            prefill=problem_prefill(body["message"].get("text") or ""),
            source=_source(body),
        ),
    )


def log_as_experiment(ack: Ack, body: dict[str, Any], client: WebClient, db: Database) -> None:
    ack()
    open_experiment_form(
        client=client,
        db=db,
        trigger_id=body["trigger_id"],
        team_id=body["team"]["id"],
        channel_id=body["channel"]["id"],
        prefill=experiment_prefill(body["message"].get("text") or ""),
        source=_source(body),
    )


def register(app: App) -> None:
    app.message_shortcut(CallbackId.CAPTURE_AS_PROBLEM)(after_ack(capture_as_problem))
    app.message_shortcut(CallbackId.LOG_AS_EXPERIMENT)(after_ack(log_as_experiment))
