"""Sending a clock's messages while its ritual runs still queue more.

A morning's standups in many workspaces queue thousands of prompts; waiting for the last
run before sending the first left Slack idle for as long as the runs took. Here a thread
sends from the first message queued, and goes on until the runs are over and nothing is
left: `queued()` after each run wakes it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from jobs.outbox import Sender


@contextmanager
def sending_meanwhile(sender: Sender) -> Iterator[Callable[[], None]]:
    """Within it, `queued()` says a run queued messages; on leaving, what was queued is
    sent (and what the sending raised, raised here). Nothing queued, nothing is asked."""
    wake, over, anything = threading.Event(), threading.Event(), threading.Event()

    def send_until_over() -> None:
        while True:
            wake.wait()
            wake.clear()
            last = over.is_set()  # read before sending: a run queued after it is sent next
            if anything.is_set():
                sender.send()
            if last:
                return

    def queued() -> None:
        anything.set()
        wake.set()

    with ThreadPoolExecutor(1, thread_name_prefix="sending") as pool:
        sending = pool.submit(send_until_over)
        try:
            yield queued
        finally:
            over.set()
            wake.set()
            sending.result()
