"""Connecting a tracker from App Home: a form, so an API key is typed where no channel
keeps it, read into the same Connect that `/ritual connect` makes; and the views that
follow it (checking, connected, or the form again with what went wrong). Pure builders."""

from __future__ import annotations

from typing import Any

from bot import forms
from bot.blocks import context, plain, section
from bot.errors import UsageError, ValidationFailed
from bot.ids import CallbackId, TrackerField
from bot.ritual_commands import Connect, connect_mlflow, wandb_connection
from bot.text import escape
from bot.trackers.render import NAMES
from storage.trackers import TrackerKind

KINDS = {TrackerKind.MLFLOW.value: "MLflow", TrackerKind.WANDB.value: "Weights & Biases"}
FIELDS = set(TrackerField)


def connect_modal(
    *, kind: str = TrackerKind.MLFLOW.value, address: str | None = None,
    entity: str | None = None, problem: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The form; after a failed check, with what was typed (the key excepted) and why."""
    blocks: list[dict[str, Any]] = []
    if problem:
        blocks.append(section(f":warning: Not connected: {escape(problem)}"))
    blocks += [
        forms.select(TrackerField.KIND, "Tracker", KINDS, kind),
        forms.text_input(
            TrackerField.ADDRESS,
            "Address",
            address,
            max_length=500,
            hint="MLflow: your tracking server (or Databricks workspace). W&B: leave empty "
            "for wandb.ai, or give your W&B Server's.",
            placeholder="https://mlflow.example.com",
        ),
        forms.text_input(
            TrackerField.TOKEN,
            "Token or API key",
            None,
            max_length=500,
            hint="W&B: your API key (wandb.ai/authorize). MLflow: a token if the server needs "
            "one. Stored encrypted; never shown again.",
        ),
        forms.text_input(
            TrackerField.ENTITY,
            "W&B entity",
            entity,
            max_length=64,
            hint="Optional: the W&B user or team whose runs the key reads.",
        ),
    ]
    return {
        "type": "modal",
        "callback_id": CallbackId.TRACKER_CONNECT,
        "title": plain("Connect a tracker", 24),
        "submit": plain("Connect", 24),
        "close": plain("Cancel", 24),
        "blocks": blocks,
    }


def read_connect(values: dict[str, str | None]) -> Connect:
    """The connection the form asks for, or the field that is wrong and what to type."""
    kind = values.get(TrackerField.KIND) or TrackerKind.MLFLOW.value
    address = (values.get(TrackerField.ADDRESS) or "").strip()
    token = (values.get(TrackerField.TOKEN) or "").strip()
    entity = (values.get(TrackerField.ENTITY) or "").strip()
    try:
        if kind == TrackerKind.WANDB.value:
            if not token:
                raise ValidationFailed(
                    {TrackerField.TOKEN: "W&B needs your API key: copy it from wandb.ai/authorize."}
                )
            return wandb_connection(token, entity=entity or None, server=address or None)
        if entity:
            raise ValidationFailed({TrackerField.ENTITY: "An entity is for W&B: leave it empty."})
        if not address:
            raise ValidationFailed(
                {
                    TrackerField.ADDRESS: "Give the MLflow server's address, e.g. https://mlflow.example.com."
                }
            )
        return connect_mlflow([a for a in (address, token) if a])
    except UsageError as error:
        # The parser's words, on the field they are about (the entity's, or the address's).
        field = TrackerField.ENTITY if "entity name" in str(error) else TrackerField.ADDRESS
        raise ValidationFailed({field: str(error)}) from None


def checking(connect: Connect) -> dict[str, Any]:
    return _notice(f"Checking {NAMES[connect.kind]} at {escape(connect.url)}…")


def connected(text: str) -> dict[str, Any]:
    """`text` is what `/ritual connect` answers (mrkdwn, already escaped)."""
    return _notice(text, footer="`/ritual connections` lists what is connected.")


def not_admin() -> dict[str, Any]:
    return _notice(
        "Only a workspace admin can connect a tracker: the connection serves the whole "
        "workspace. Ask one of them; `/ritual connections` shows what is connected."
    )


def _notice(text: str, *, footer: str | None = None) -> dict[str, Any]:
    blocks = [section(text), *([context(footer)] if footer else [])]
    return {
        "type": "modal",
        "callback_id": CallbackId.TRACKER_CONNECT,
        "title": plain("Connect a tracker", 24),
        "close": plain("Done", 24),
        "blocks": blocks,
    }
