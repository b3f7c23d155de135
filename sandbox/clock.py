"""The sandbox clock: fast-forward to the next scheduled ritual and fire it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

NO_SCHEDULER = (
    "No ritual scheduler is attached to this sandbox, so there is nothing to fast-forward to. "
    "The clock needs an object with next_due(after) -> datetime | None and fire_due(now), "
    "such as runtime.clock.RitualScheduler, passed to Clock(scheduler=...)."
)
NOTHING_DUE = "No ritual is scheduled: set up a standup or a digest first."


class Scheduler(Protocol):
    """What the clock needs from the bot's ritual scheduler."""

    def next_due(self, after: datetime, /) -> datetime | None: ...

    def fire_due(self, now: datetime, /) -> Any: ...


class Clock:
    """Sandbox time: real time plus however far the page has fast-forwarded."""

    def __init__(
        self,
        *,
        scheduler: Scheduler | None = None,
        real_now: Callable[[], datetime] = lambda: datetime.now(UTC),
        start: datetime | None = None,
    ) -> None:
        """`start`: where sandbox time begins (it runs on from there); real time if None."""
        self.scheduler = scheduler
        self._real_now = real_now
        self._offset = start - real_now() if start is not None else timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The sandbox's current time, tz-aware UTC."""
        return self._real_now() + self._offset

    def advance(self) -> dict[str, Any]:
        """Jump to the next due ritual and fire it; say why not when there is none."""
        if self.scheduler is None:
            return {"ok": False, "error": "no_scheduler", "message": NO_SCHEDULER}
        with self._lock:
            due = self.scheduler.next_due(self.now())
            if due is None:
                return {"ok": False, "error": "nothing_due", "message": NOTHING_DUE}
            self._offset = max(self._offset, due - self._real_now())
            self.scheduler.fire_due(due)
        return {
            "ok": True,
            "now": due.isoformat(),
            "message": f"Fast-forwarded to {due:%a %d %b %H:%M} UTC.",
        }

    def describe(self) -> dict[str, Any]:
        """What the page shows about time."""
        return {"now": self.now().isoformat(), "can_advance": self.scheduler is not None}
