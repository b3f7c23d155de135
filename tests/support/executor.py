"""A listener executor that tests can wait on, so assertions run after the bot's work is done."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class IdleTrackingExecutor(ThreadPoolExecutor):
    def __init__(self, max_workers: int = 16):
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")
        self._pending = 0
        self._lock = threading.Lock()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._lock:
            self._pending += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: Future[Any]) -> None:
        with self._lock:
            self._pending -= 1

    def wait_idle(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self._pending == 0:
                    return
            time.sleep(0.005)
        raise AssertionError(f"listeners still running after {timeout} s")
