"""What every Web API method handler gets, raises and shares."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from sandbox.records import Channel, Workspace
from sandbox.state import World


class ApiError(Exception):
    """A Slack `{"ok": false, "error": ...}` answer."""

    def __init__(self, error: str, *messages: str) -> None:
        super().__init__(error)
        self.error = error
        self.messages = list(messages)

    def body(self) -> dict[str, Any]:
        """The JSON body Slack answers with."""
        body: dict[str, Any] = {"ok": False, "error": self.error}
        if self.messages:
            body["response_metadata"] = {"messages": self.messages}
        return body


@dataclass
class ApiRequest:
    """One authenticated Web API call."""

    world: World
    workspace: Workspace
    args: dict[str, Any]
    base_url: str

    def text(self, key: str) -> str:
        """A string argument, empty when absent."""
        value = self.args.get(key)
        return "" if value is None else str(value)

    def required(self, key: str, *, error: str = "invalid_arguments") -> str:
        """A string argument that must be present."""
        value = self.text(key)
        if not value:
            raise ApiError(error, f"[ERROR] missing required field: {key}")
        return value

    def flag(self, key: str) -> bool:
        """A boolean argument sent as JSON or as a form string."""
        value = self.args.get(key)
        return value is True or str(value).lower() in ("true", "1")

    def user_exists(self, user_id: str) -> bool:
        """Whether the user belongs to the caller's workspace."""
        return self.world.user(team_id=self.workspace.team_id, user_id=user_id) is not None

    def channel(self, key: str = "channel") -> Channel:
        """The channel named by an argument, visible to the bot."""
        channel = self.world.resolve_channel(
            team_id=self.workspace.team_id, channel=self.required(key, error="channel_not_found")
        )
        bot = self.workspace.bot_user_id
        if channel is None or (channel.is_private and bot not in channel.members):
            raise ApiError("channel_not_found")
        return channel

    def page(self, items: list[Any]) -> tuple[list[Any], dict[str, str]]:
        """One page of items by `cursor` and `limit`, and the response_metadata to return."""
        limit = int(self.args.get("limit") or 0) or 100
        cursor = self.text("cursor")
        try:
            start = int(base64.urlsafe_b64decode(cursor.encode()).decode()[len("offset:") :])
        except ValueError:
            if cursor:
                raise ApiError("invalid_cursor") from None
            start = 0
        end = start + limit
        token = base64.urlsafe_b64encode(f"offset:{end}".encode()).decode()
        return items[start:end], {"next_cursor": token if end < len(items) else ""}
