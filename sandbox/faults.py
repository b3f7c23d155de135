"""Faults injected on demand into Web API calls."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass
class Fault:
    """How to misbehave for the next `times` calls of `method` ("*" for any)."""

    method: str
    status: int | None = None
    error: str | None = None
    delay: float = 0.0
    retry_after: int | None = None
    times: int = 1
    # Do the call, then close the connection without answering: the client cannot tell
    # whether Slack acted (a reset or a proxy dropping the response).
    lose_answer: bool = False

    @property
    def answers(self) -> bool:
        """Whether the fault replaces the real answer (otherwise it only delays it)."""
        return self.error is not None or self.status not in (None, 200)


class Faults:
    """The pending faults, consumed in the order they were injected."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[Fault] = []

    def add(self, fault: Fault) -> None:
        """Queue a fault."""
        with self._lock:
            self._pending.append(fault)

    def take(self, method: str) -> Fault | None:
        """Use up one occurrence of the first fault matching the method."""
        with self._lock:
            for fault in self._pending:
                if fault.method in ("*", method):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._pending.remove(fault)
                    return fault
        return None

    def remaining(self) -> int:
        """How many more calls the pending faults will affect."""
        with self._lock:
            return sum(fault.times for fault in self._pending)

    def clear(self) -> None:
        """Drop all pending faults."""
        with self._lock:
            self._pending.clear()
