"""Slack's rate limits as sliding windows, per workspace and method.

Windows last 60 s / scale (and the chat.postMessage per-channel window 3 s / scale);
the limits themselves never change, so `scale=60` makes a minute's budget last a second.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque

TIER_2, TIER_3, TIER_4 = 20, 50, 100
POST_MESSAGE_PER_MINUTE = 300
POST_MESSAGE_CHANNEL_BURST = 3
POST_MESSAGE_CHANNEL_WINDOW = 3.0


class RateLimiter:
    """Counts calls in sliding windows and says how long to wait when over."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hits: dict[tuple[str, ...], deque[float]] = {}
        self.enabled = False
        self.scale = 1.0

    def configure(self, *, enabled: bool, scale: float = 1.0) -> None:
        """Switch limits on or off and start counting afresh."""
        with self._lock:
            self.enabled, self.scale = enabled, scale
            self._hits.clear()

    def check(
        self, *, team_id: str, method: str, per_minute: int, channel: str | None
    ) -> int | None:
        """Count the call and return None, or refuse it with the seconds until a slot frees."""
        if not self.enabled:
            return None
        windows = [((team_id, method), per_minute, 60.0)]
        if method == "chat.postMessage" and channel:
            windows.append(
                (
                    (team_id, method, channel),
                    POST_MESSAGE_CHANNEL_BURST,
                    POST_MESSAGE_CHANNEL_WINDOW,
                )
            )
        now = time.monotonic()
        with self._lock:
            for key, limit, seconds in windows:
                window = seconds / self.scale
                hits = self._hits.setdefault(key, deque())
                while hits and hits[0] <= now - window:
                    hits.popleft()
                if len(hits) >= limit:
                    return max(1, math.ceil(hits[0] + window - now))
            for key, _limit, _seconds in windows:
                self._hits[key].append(now)
        return None
