"""Waiting in a process's main thread until it is told to stop (SIGTERM, or Ctrl-C).

Python runs a signal's handler in the main thread, the next time that thread runs Python
code. The kernel may hand a process's signal to any of its threads, and a main thread
blocked in an untimed `Event.wait()` is woken only by a signal handed to it: one handed to
the clock's or a server's thread sat unhandled, and the process never stopped. So the wait
wakes every half second to let a pending handler run.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

# What each does again once the wait is over: a second Ctrl-C interrupts a slow shutdown,
# a second SIGTERM ends the process.
AFTERWARDS = {signal.SIGTERM: signal.SIG_DFL, signal.SIGINT: signal.default_int_handler}


class StopSignal:
    """SIGTERM and SIGINT caught from creation on; `wait()` returns once one has come."""

    def __init__(self, *, every: float = 0.5) -> None:
        self.every = every
        self.received: int | None = None
        self._came = threading.Event()
        for signum in AFTERWARDS:
            signal.signal(signum, self._stop)

    def _stop(self, signum: int, _frame: FrameType | None) -> None:
        self.received = signum
        self._came.set()

    def wait(self) -> int:
        """Block until SIGTERM or SIGINT came; which one."""
        while not self._came.wait(self.every):
            pass
        for signum, handler in AFTERWARDS.items():
            signal.signal(signum, handler)
        assert self.received is not None
        return self.received
