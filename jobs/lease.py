"""A clock process's lease on its claims (storage.claimers): registered when it first
claims, renewed by a thread of its own every HEARTBEAT once started (so a long send holds
it too), and on demand before a send when it was last renewed too long ago.

After each renewal it calls `after_renewal`: the clock looks then for work a dead clock
left behind (runtime/clock.py), rather than at its next minute's sweep.

The sender claims in the lease's `current()` term, renewed first if it was stale, and asks
`held(term)` before each send: a lease last renewed too long ago (a renewal that failed, a
process that stalled) is renewed first, and if it had run out since the claim the send
does not happen: another clock may have taken that claim over. A claim made after is
safe again.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from storage import claimers
from storage.db import Database
from storage.types import utcnow

log = logging.getLogger(__name__)


@dataclass
class Lease:
    db: Database
    clock: Callable[[], datetime] = utcnow
    # Real seconds between renewals (HEARTBEAT; shorter where `clock` runs faster).
    every: float = claimers.HEARTBEAT.total_seconds()
    # How many times the lease was found run out: a claim made before is no longer sure.
    term: int = 0
    # Called from the renewing thread after each renewal; kept short, as it delays the next.
    after_renewal: Callable[[], None] | None = None
    _claimer: int | None = None
    _renewed: datetime | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)

    @property
    def claimer(self) -> int:
        """This process's claimer id, registered on first use."""
        with self._lock:
            if self._claimer is None:
                now = self.clock()
                with self.db.transaction() as session:
                    name = f"{socket.gethostname()}:{os.getpid()}"
                    self._claimer = claimers.register(session, name=name, now=now)
                self._renewed = now
            return self._claimer

    def current(self) -> int:
        """The term to claim in: the lease renewed first if it was stale."""
        claimer = self.claimer
        if self.clock() >= self._fresh_until():
            self._renew(claimer)
        return self.term

    def held(self, term: int) -> bool:
        """Whether a claim made in `term` may still be sent: the lease renewed recently, or
        renewed now before others could take it for dead, and never run out since."""
        return self.current() == term

    def _fresh_until(self) -> datetime:
        assert self._renewed is not None
        # One heartbeat short of the lease: the margin for a send begun just before it ends.
        return self._renewed + claimers.LEASE - claimers.HEARTBEAT

    def _renew(self, claimer: int) -> None:
        now = self.clock()
        with self.db.transaction() as session:
            held = claimers.renew(session, claimer, now=now)
        if not held:
            # The new term before the new renewal time: a thread that sees the lease fresh
            # must not claim in the term that ran out.
            self.term += 1
            log.warning("clock lease %s had run out; its claims may have been taken over", claimer)
        self._renewed = now

    def start(self) -> None:
        """Renew the lease every `every` seconds from now on, in a thread of its own."""
        threading.Thread(target=self._renewing, name="lease", daemon=True).start()

    def _renewing(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self._renew(self.claimer)
                if self.after_renewal is not None:
                    self.after_renewal()
            except Exception:  # the database away for a moment: try again next beat
                log.warning("could not renew clock lease %s", self._claimer, exc_info=True)

    def stop(self) -> None:
        self._stop.set()
