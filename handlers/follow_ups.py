"""Work nobody waits for (a new problem's card, a "tried before" hint), done after the ack,
when the process has no request to answer."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

log = logging.getLogger(__name__)

# Two, so one slow Slack call doesn't hold up every other card, and no more: follow-ups
# share the process with requests waiting for their ack, and a team sends a few requests
# a minute. What must survive a crash is stored first (a card is stored pending, and the
# clock's sweep posts it), so a bounded pool is all this needs.
WORKERS = 2
# Follow-ups waiting beyond this are left out: under a burst (a script capturing in bulk)
# each card waits in the outbox for the clock's sweep, and a "tried before" hint is
# skipped, instead of the backlog taking the CPU from the requests still to be acked.
BACKLOG = 64


class FollowUps:
    """A small pool the listeners hand their follow-ups to. A follow-up starts once the
    process is answering no request: whoever waits for an ack comes first, and a card the
    process has no time for is sent by the clock's sweep from the outbox."""

    def __init__(self, pool: Executor | None = None, *, backlog: int = BACKLOG) -> None:
        self.pool = pool or ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="follow-up")
        self._backlog = backlog
        self._room = threading.BoundedSemaphore(backlog)
        self._answering = 0
        self._quiet = threading.Condition()

    @contextmanager
    def answering(self) -> Iterator[None]:
        """Around each request the process answers (runtime.web)."""
        with self._quiet:
            self._answering += 1
        try:
            yield
        finally:
            with self._quiet:
                self._answering -= 1
                if not self._answering:
                    self._quiet.notify_all()

    def _when_quiet(self, task: Callable[..., None], kwargs: dict[str, Any]) -> None:
        with self._quiet:
            self._quiet.wait_for(lambda: not self._answering)
        task(**kwargs)

    def submit(self, task: Callable[..., None], /, **kwargs: Any) -> None:
        """Run `task(**kwargs)` on the pool, unless its backlog is full. Never raises: it is
        called after the ack, when an error could no longer be told apart from the saved
        record's."""
        name = getattr(task, "__name__", repr(task))
        if not self._room.acquire(blocking=False):
            log.info("follow-up %s left out: %s already waiting", name, self._backlog)
            return
        try:
            future = self.pool.submit(self._when_quiet, task, kwargs)
        except RuntimeError:  # the pool is shut down: the process is exiting
            self._room.release()
            log.warning("follow-up %s dropped: shutting down", name)
            return
        future.add_done_callback(lambda done: self._done(name, done))

    def _done(self, name: str, done: Future[None]) -> None:
        self._room.release()
        _log_failure(name, done)

    def shutdown(self) -> None:
        """Run what was handed over, then stop."""
        self.pool.shutdown(wait=True)


def _log_failure(name: str, done: Future[None]) -> None:
    error = done.exception()
    if error is not None:
        log.error("follow-up %s failed", name, exc_info=error)
