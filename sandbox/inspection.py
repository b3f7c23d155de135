"""What tests read back from the emulator: Web API calls, messages, modals, Home, files."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sandbox.records import Call, Message, Response, View
from sandbox.state import World


class Inspection:
    """Read-only views of the world, each taken under its lock, and a polling helper."""

    world: World

    def calls(self, method: str | None = None, *, team_id: str | None = None) -> list[Call]:
        """Recorded Web API calls, oldest first, optionally of one method or workspace."""
        with self.world.lock:
            return [
                call
                for call in self.world.calls
                if method in (None, call.method) and team_id in (None, call.team_id)
            ]

    def clear_calls(self) -> None:
        """Forget the recorded calls."""
        with self.world.lock:
            self.world.calls.clear()

    @property
    def responses(self) -> list[Response]:
        """What the app POSTed to response_urls, oldest first."""
        with self.world.lock:
            return list(self.world.responses)

    def messages(self, channel: str) -> list[Message]:
        """A channel's history, oldest first (a user id means the bot's DM with that user)."""
        with self.world.lock:
            return list(self.world.history.get(self.world.channel_id_of(channel), []))

    def thread(self, channel: str, thread_ts: str) -> list[Message]:
        """A thread's parent and replies, oldest first."""
        return [m for m in self.messages(channel) if thread_ts in (m.ts, m.thread_ts)]

    def ephemerals(self, channel: str, user: str) -> list[Message]:
        """Ephemeral messages one user saw in a channel, oldest first."""
        with self.world.lock:
            return list(self.world.ephemerals.get((self.world.channel_id_of(channel), user), []))

    def views(self, *, team_id: str | None = None, user_id: str | None = None) -> list[View]:
        """Every modal opened so far, open or closed, oldest first."""
        with self.world.lock:
            return [
                view
                for view in self.world.views.values()
                if team_id in (None, view.team_id) and user_id in (None, view.user_id)
            ]

    def open_view(self, user_id: str) -> View | None:
        """The modal on top of the user's stack, if any is open."""
        with self.world.lock:
            return self.world.top_view(user_id)

    def home(self, *, team_id: str, user_id: str) -> dict[str, Any] | None:
        """The App Home view last published for the user."""
        with self.world.lock:
            return self.world.homes.get((team_id, user_id))

    def file_bytes(self, file_id: str) -> bytes | None:
        """The bytes uploaded for a file."""
        with self.world.lock:
            stored = self.world.files.get(file_id)
        return stored.data if stored else None

    def wait_for(self, predicate: Callable[[], Any], *, timeout: float = 5.0) -> None:
        """Poll until predicate() is truthy; AssertionError after timeout seconds."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout} s")
            time.sleep(0.01)
