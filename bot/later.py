"""Work nobody is waiting for (a new problem's card, a "tried before" hint), done after the
ack, giving way to the requests that are waiting for theirs."""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

log = logging.getLogger(__name__)

# The longest a follow-up waits for a moment with no request in flight. Under a burst there
# is no such moment, and follow-ups start one per wait, whatever the number of threads:
# cards keep coming (one a second), while the process goes to acks due within 3 seconds;
# the rest start in the burst's first quiet moment. Each follow-up started inside a burst
# (a card post, a search, two writes: about 3.8 ms of CPU) cost the acks around it: at four
# a second, the ack benchmark's captures on PostgreSQL took a fifth more CPU, and their p99
# was up to twice as long, as with none started. Ordinary traffic leaves many quiet moments,
# and there a follow-up starts at once.
YIELD_SECONDS = 1.0
# How long no request must have been in flight for the process to count as quiet. Under a
# burst the last answer has only just been written as the next request arrives, and a
# follow-up started in that gap takes the CPU the next acks need.
QUIET_SECONDS = 0.02
# Threads enough that a slow Slack (each post taking seconds) doesn't queue every card
# behind one; they cost nothing while they wait on Slack.
WORKERS = 8


class Traffic:
    """How many Slack requests this process is answering at this moment."""

    def __init__(self, *, quiet: float = QUIET_SECONDS) -> None:
        self._busy = 0
        self._quiet = quiet
        self._last = time.monotonic()  # when the last request in flight finished
        self._lock = threading.Lock()

    @contextmanager
    def request(self) -> Iterator[None]:
        with self._lock:
            self._busy += 1
        try:
            yield
        finally:
            with self._lock:
                self._busy -= 1
                if not self._busy:
                    self._last = time.monotonic()

    def wait_quiet(self, timeout: float) -> bool:
        """Wait until no request has been in flight for the last `quiet` seconds, for
        `timeout` seconds at most; whether that came.

        It looks again every `quiet` seconds rather than being woken: a wake-up as each
        request of a burst finished cost every request a thread switch, for a follow-up
        that has to wait on anyway.
        """
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            with self._lock:
                calm = self._quiet if self._busy else self._last + self._quiet - now
                if not self._busy and calm <= 0:
                    return True
            if now >= deadline:
                return False
            time.sleep(min(deadline - now, calm))


class Later:
    """Follow-up work, each task started in a quiet moment, or else one per YIELD_SECONDS.

    What runs here must not be needed for an answer: it may start up to YIELD_SECONDS late,
    and it is lost if the process dies first, so anything that must survive a crash is
    written down before it is handed here (a problem's card is stored as pending).

    A task waits in a plain queue until its moment, and only then goes to the thread pool.
    Under a burst thousands wait: as pool work items each held a future, a work item and
    their locks, and every one of those objects made each garbage collection of the process
    longer, for every request in flight.

    A task goes to the pool only when one of its threads is free. When the pool took all
    that was queued in a quiet moment, it went on running that backlog through the next
    burst, quiet or not: a second burst of captures 10 s after the first was answered at a
    third of the rate, with a p99 four times as long, while the first one's cards went out.
    """

    def __init__(self, traffic: Traffic, *, workers: int = WORKERS) -> None:
        self._traffic = traffic
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="later")
        self._free = threading.BoundedSemaphore(workers)  # pool threads without a task
        self._queue: deque[tuple[Callable[..., None], dict[str, Any]]] = deque()
        self._queued = 0  # submitted and not finished
        self._closed = False
        # Guards the above; notified when a task is queued, when all are done, and at shutdown.
        self._idle = threading.Condition()
        self._starter: threading.Thread | None = None  # started with the first task

    def submit(self, task: Callable[..., None], /, **kwargs: Any) -> None:
        """Queue `task`; never raises, so a listener may call it after its ack(). A task
        submitted while the process shuts down is dropped with a warning."""
        with self._idle:
            if self._closed:
                log.warning("follow-up %s dropped: shutting down", getattr(task, "__name__", task))
                return
            self._queued += 1
            self._queue.append((task, kwargs))
            if self._starter is None:
                self._starter = threading.Thread(target=self._start_each, name="later", daemon=True)
                self._starter.start()
                # A worker stopping (a deploy) still posts the cards it has queued.
                atexit.register(self.shutdown)
            self._idle.notify_all()

    def _start_each(self) -> None:
        """Hand each queued task to the pool at its moment, until shut down and drained."""
        while True:
            with self._idle:
                self._idle.wait_for(lambda: self._queue or self._closed)
                if not self._queue:
                    return  # shut down, and nothing left
            self._free.acquire()  # released when the task has run (_run)
            self._traffic.wait_quiet(YIELD_SECONDS)
            with self._idle:
                task, kwargs = self._queue.popleft()
            try:
                self._pool.submit(self._run, task, kwargs)
            except RuntimeError:  # the interpreter is exiting and its pools are shut
                self._run(task, kwargs)

    def _run(self, task: Callable[..., None], kwargs: dict[str, Any]) -> None:
        try:
            task(**kwargs)
        except Exception:
            log.exception("follow-up %s failed", getattr(task, "__name__", task))
        finally:
            self._free.release()
            with self._idle:
                self._queued -= 1
                if not self._queued:
                    self._idle.notify_all()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until every submitted task has finished (tests, benchmarks, shutdown)."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._queued, timeout)

    def shutdown(self) -> None:
        """Run what is queued, then stop; what is submitted from now on is dropped."""
        with self._idle:
            self._closed = True
            self._idle.notify_all()
        if self._starter is not None:
            self._starter.join()
        self._pool.shutdown(wait=True)
