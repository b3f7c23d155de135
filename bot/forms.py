"""Pieces of modal forms: inputs whose block id names the field, and reading them back."""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from bot.blocks import plain
from bot.checks import TEXT_MAX
from bot.ids import ActionId

CONVERSATION_ID = re.compile(r"[CDG][A-Z0-9]{2,30}")


def channel_of(metadata: dict[str, Any]) -> str | None:
    """The channel a form was opened in, from its private_metadata; None unless it is an id.

    private_metadata comes back from the client, so a forged value must not reach the
    database or a Web API call as a channel.
    """
    channel = metadata.get("channel")
    return channel if isinstance(channel, str) and CONVERSATION_ID.fullmatch(channel) else None


@dataclass(frozen=True)
class MessageRef:
    """A Slack message a record is captured from (a message shortcut), kept in a form's metadata."""

    channel: str
    ts: str

    def dump(self) -> list[str]:
        return [self.channel, self.ts]

    @classmethod
    def load(cls, value: object) -> MessageRef | None:
        if isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value):
            return cls(value[0], value[1])
        return None


def option(value: str, text: str) -> dict[str, Any]:
    return {"text": plain(text), "value": value}


def input_block(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = True,
    hint: str | None = None,
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, 2000),
        "optional": optional,
        "element": {"action_id": ActionId.FIELD, **element},
    }
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def text_input(
    block_id: str,
    label: str,
    initial: str | None,
    *,
    multiline: bool = False,
    optional: bool = True,
    max_length: int = TEXT_MAX,
    hint: str | None = None,
    placeholder: str | None = None,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "multiline": multiline,
        "max_length": max_length,
    }
    if initial:
        # Plain text, not mrkdwn: shown exactly as stored, clipped to what the input accepts.
        element["initial_value"] = initial[:max_length]
    if placeholder:
        element["placeholder"] = plain(placeholder, 150)
    return input_block(block_id, label, element, optional=optional, hint=hint)


def select(
    block_id: str,
    label: str,
    options: Mapping[Any, str],
    initial: Any,
    *,
    optional: bool = False,
    hint: str | None = None,
) -> dict[str, Any]:
    choices = [option(str(value), text) for value, text in options.items()]
    element: dict[str, Any] = {"type": "static_select", "options": choices}
    chosen = next((c for c in choices if c["value"] == str(initial)), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return input_block(block_id, label, element, optional=optional, hint=hint)


def type_ahead(
    block_id: str,
    label: str,
    *,
    action_id: str,
    initial: dict[str, Any] | None,
    placeholder: str,
    optional: bool = False,
    hint: str | None = None,
) -> dict[str, Any]:
    """A menu whose options the app gives as the person types (Slack's external_select).

    Slack lists at most 100 options, so a menu over a list that grows has to be this one;
    `action_id` names the options listener. It lists the first options before anything is
    typed (Slack waits for 3 characters unless told).
    """
    element: dict[str, Any] = {
        "type": "external_select",
        "action_id": action_id,
        "min_query_length": 0,
        "placeholder": plain(placeholder, 150),
    }
    if initial is not None:
        element["initial_option"] = initial
    return input_block(block_id, label, element, optional=optional, hint=hint)


def read_values(
    state_values: dict[str, dict[str, dict[str, Any]]], fields: Collection[str]
) -> dict[str, str | None]:
    """Flatten a view_submission's state into block id → submitted text, for the named blocks."""
    out: dict[str, str | None] = {}
    for block_id, actions in state_values.items():
        if block_id not in fields:
            continue
        # An input block holds one element: FIELD, or a type-ahead's own action id.
        element = next(iter(actions.values()), {})
        kind = element.get("type")
        if kind in ("static_select", "external_select", "radio_buttons"):
            value = (element.get("selected_option") or {}).get("value")
        elif kind == "users_select":
            value = element.get("selected_user")
        elif kind == "datepicker":
            value = element.get("selected_date")
        else:
            value = element.get("value")
        out[block_id] = value
    return out


def modal(
    callback_id: str,
    title: str,
    metadata: dict[str, Any],
    blocks: list[dict[str, Any]],
    *,
    submit: str | None = "Save",
) -> dict[str, Any]:
    """A modal view: its form's callback id, title, what it carries back, and its blocks."""
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps(metadata),
        "blocks": blocks,
    }
    if submit:
        view["submit"] = plain(submit, 24)
    return view
