"""The emulator's world: workspaces, people, channels, history, modals, files."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from sandbox.records import (
    Call,
    Canvas,
    Channel,
    Message,
    Response,
    ResponseTarget,
    StoredFile,
    Trigger,
    User,
    View,
    Workspace,
)


class World:
    """Everything the emulator remembers; guard every access with `lock`."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        # What time it is in this Slack: real time, or the sandbox clock (`ritualbot sandbox`).
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.clear()

    def seconds(self) -> float:
        """Now, by this Slack's clock, in seconds since the epoch."""
        return self.now().timestamp()

    def clear(self) -> None:
        """Forget everything."""
        with self.lock:
            self.workspaces: dict[str, Workspace] = {}
            self.tokens: dict[str, str] = {}
            self.users: dict[str, User] = {}
            self.channels: dict[str, Channel] = {}
            self.history: dict[str, list[Message]] = {}
            self.ephemerals: dict[tuple[str, str], list[Message]] = {}
            self.views: dict[str, View] = {}
            self.stacks: dict[str, list[str]] = {}
            self.homes: dict[tuple[str, str], dict] = {}
            self.triggers: dict[str, Trigger] = {}
            self.targets: dict[str, ResponseTarget] = {}
            self.files: dict[str, StoredFile] = {}
            self.canvases: dict[str, Canvas] = {}
            self.calls: list[Call] = []
            # OAuth: registered app credentials, and codes waiting to be exchanged.
            self.oauth_clients: dict[str, str] = {}
            self.oauth_codes: dict[str, tuple[str, str]] = {}
            self.responses: list[Response] = []
            self._counter = itertools.count(1)
            self._last_micros = 0

    def next_id(self, prefix: str) -> str:
        """A new Slack-looking id such as `V0000000A`."""
        with self.lock:
            return f"{prefix}{next(self._counter):08X}"

    def next_ts(self) -> str:
        """A new message timestamp, unique and increasing, like `1700000000.000100`."""
        with self.lock:
            micros = max(int(self.seconds() * 1_000_000), self._last_micros + 1)
            self._last_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def workspace_for_token(self, token: str | None) -> Workspace | None:
        """The workspace a live token belongs to."""
        team_id = self.tokens.get(token or "")
        return self.workspaces.get(team_id) if team_id else None

    def user(self, *, team_id: str, user_id: str) -> User | None:
        """A user of that workspace."""
        user = self.users.get(user_id)
        return user if user and user.team_id == team_id else None

    def dm_channel(self, *, team_id: str, user_id: str) -> Channel:
        """The bot's direct-message channel with a user, created on first use."""
        channel_id = f"D{user_id[1:]}"
        channel = self.channels.get(channel_id)
        if channel is None:
            bot = self.workspaces[team_id].bot_user_id
            channel = Channel(
                team_id=team_id,
                id=channel_id,
                name=user_id,
                members=[user_id, bot],
                im_user=user_id,
                created=int(self.seconds()),
            )
            self.channels[channel_id] = channel
            self.history[channel_id] = []
        return channel

    def resolve_channel(self, *, team_id: str, channel: str) -> Channel | None:
        """A channel of that workspace by id; a user id means the DM with that user."""
        if self.user(team_id=team_id, user_id=channel):
            return self.dm_channel(team_id=team_id, user_id=channel)
        found = self.channels.get(channel)
        return found if found and found.team_id == team_id else None

    def channel_id_of(self, channel: str) -> str:
        """The channel id behind a channel id or a user id (that user's DM)."""
        user = self.users.get(channel)
        return f"D{channel[1:]}" if user else channel

    def find_message(self, *, channel_id: str, ts: str) -> Message | None:
        """A message of the channel's history by ts."""
        return next((m for m in self.history.get(channel_id, []) if m.ts == ts), None)

    def find_ephemeral(self, *, channel_id: str, ts: str) -> Message | None:
        """An ephemeral message in the channel by ts, whoever sees it."""
        for (channel, _user), messages in self.ephemerals.items():
            if channel == channel_id:
                found = next((m for m in messages if m.ts == ts), None)
                if found:
                    return found
        return None

    def top_view(self, user_id: str) -> View | None:
        """The modal on top of the user's open stack."""
        stack = self.stacks.get(user_id) or []
        return self.views[stack[-1]] if stack else None
