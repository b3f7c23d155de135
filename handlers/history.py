"""Answers every record kind shares: deletion with its Undo, restore, history, Undo clicks."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond

from bot.commands import carried_number
from bot.history import render as records
from bot.history.service import Version


def confirm_deletion(
    ack: Ack, respond: Respond, *, ref: str, number: int, undo_action: str, restore_command: str
) -> None:
    # A message of its own (not the answer to the command), so its Undo button can replace
    # it in place.
    ack()
    respond(
        text=f"Deleted {ref}.",
        blocks=records.deleted(
            ref=ref, number=number, undo_action=undo_action, restore_command=restore_command
        ),
        response_type="ephemeral",
    )


def confirm_restore(ack: Ack, *, ref: str) -> None:
    ack(text=f"Restored {ref}.", blocks=records.restored(ref), response_type="ephemeral")


def answer_history(ack: Ack, *, ref: str, versions: tuple[Version, ...]) -> None:
    ack(text=f"History of {ref}", blocks=records.versions(ref, versions), response_type="ephemeral")


def clicked_number(body: dict[str, Any]) -> int:
    """The record number a button carries as its value."""
    return carried_number(body["actions"][0].get("value"))


def undone(respond: Respond, *, ref: str) -> None:
    """Replace the deletion notice whose Undo was clicked."""
    respond(text=f"Restored {ref}.", blocks=records.restored(ref), replace_original=True)
