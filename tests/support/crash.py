"""Clients whose process dies mid-way: nothing after the death runs, no handler sees it."""

from __future__ import annotations

import threading
from time import monotonic, sleep
from typing import Any

from slack_sdk import WebClient


class Crash(BaseException):
    """The process dies: nothing after this line runs, no handler sees it."""


class DiesAfterPosting(WebClient):
    """Posts normally, then dies right after Slack accepted the `fatal`-th message.

    Messages may go out in parallel, so others may be on their way to Slack as it dies;
    those arrive (Slack has them), and `landed` says when they all have: when none has been on
    its way for a moment (one may be just about to leave as the fatal one returns).
    """

    def __init__(self, *args, fatal: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fatal, self.posted, self.sending = fatal, 0, 0
        self._count = threading.Lock()

    def chat_postMessage(self, **kwargs):
        with self._count:
            self.sending += 1
        try:
            answer = super().chat_postMessage(**kwargs)
        finally:
            with self._count:
                self.sending -= 1
        with self._count:
            self.posted += 1
            dies = self.posted == self.fatal
        if dies:
            raise Crash
        return answer

    def landed(self, timeout: float = 10.0, calm: float = 0.2) -> bool:
        deadline, since = monotonic() + timeout, monotonic()
        while monotonic() < deadline:
            if self.sending:
                since = monotonic()
            elif monotonic() - since >= calm:
                return True
            sleep(0.01)
        return False


class DiesReadingRoster(WebClient):
    """Dies as it asks Slack who is in the channel: a ritual run cut off half-way."""

    def api_call(self, api_method: str, **kwargs: Any) -> Any:
        if api_method in ("conversations.members", "users.list"):
            raise Crash
        return super().api_call(api_method, **kwargs)
