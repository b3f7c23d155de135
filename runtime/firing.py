"""Running what is due: each due occurrence claimed by inserting its run row (committed
before anything is queued), run by its kind's runner, then marked done.

Workspaces are run side by side, a few at a time, each its rituals and their occurrences
in order. A run spends most of its time waiting: for the database (a handful of short
transactions) and, reading a roster, for Slack. With many workspaces due at one instant
(every standup at 09:30), running them one after another left the sender idle, waiting for
the next run's prompts, while the database answered the last.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy import select, update

from bot import rituals
from bot.schedule import Occurrence, Plan, occurrences
from jobs.lease import Lease
from jobs.rituals import Runner
from storage import claimers, queries
from storage.db import Database
from storage.rituals import RitualKind, RitualRun
from storage.types import utcnow

log = logging.getLogger(__name__)

# Workspaces whose runs go at once. Few: each holds a database connection while it runs,
# beside the sender's (jobs/outbox.WORKSPACES_AT_ONCE).
WORKSPACES_AT_ONCE = 4


@dataclass(frozen=True)
class Scheduled:
    id: int
    team_id: str
    kind: RitualKind
    plan: Plan


@dataclass
class Firing:
    """Runs due occurrences for one clock, its claims carried by its lease."""

    db: Database
    runners: dict[RitualKind, Runner]
    client_factory: Callable[[str], WebClient]
    lease: Lease
    now: Callable[[], datetime]

    def fire(self, due: list[Scheduled], at: datetime, queued: Callable[[], None]) -> int:
        """Run every occurrence of `due` at or before `at` within its grace and not yet
        done; `queued()` after each run. How many ran."""
        by_workspace: dict[str, list[Scheduled]] = defaultdict(list)
        for ritual in due:
            by_workspace[ritual.team_id].append(ritual)

        def fire_workspace(its: list[Scheduled]) -> int:
            ran = 0
            for ritual in its:
                window = occurrences(ritual.plan, at - rituals.grace_for(ritual.kind), at)
                for occurrence in self.unfinished(ritual, window):
                    if self.run(ritual, occurrence):
                        ran += 1
                        queued()
            return ran

        if len(by_workspace) <= 1:  # nothing to overlap: run here
            return sum(fire_workspace(its) for its in by_workspace.values())
        with ThreadPoolExecutor(WORKSPACES_AT_ONCE, thread_name_prefix="runs") as pool:
            return sum(pool.map(fire_workspace, by_workspace.values()))

    def unfinished(self, ritual: Scheduled, due: list[Occurrence]) -> list[Occurrence]:
        """The due occurrences not yet claimed, or claimed by a run that never finished
        (`run` takes one over only from a clock that is dead, or from this one)."""
        if not due:
            return []
        with self.db.reading() as session:
            done = set(
                session.scalars(
                    select(RitualRun.occurrence).where(
                        RitualRun.team_id == ritual.team_id,
                        RitualRun.ritual_id == ritual.id,
                        RitualRun.occurrence.in_([o.key for o in due]),
                        RitualRun.state == "done",
                    )
                )
            )
        return [o for o in due if o.key not in done]

    def run(self, ritual: Scheduled, occurrence: Occurrence) -> int:
        """Claim an occurrence's run (or take over one a dead clock left unfinished), run
        it, mark it done; how many ran (0 when another live clock holds it, or it failed:
        then it is run again on a later pass)."""
        claimer = self.lease.claimer
        with self.db.transaction() as session:
            claimed = queries.claim_run(
                session,
                team_id=ritual.team_id,
                ritual_id=ritual.id,
                occurrence=occurrence.key,
                scheduled_for=occurrence.at,
                claimed_by=claimer,
            )
            mine = claimed is not None or claimers.take_run(
                session,
                team_id=ritual.team_id,
                ritual_id=ritual.id,
                occurrence=occurrence.key,
                claimer=claimer,
                now=self.now(),
            )
        if not mine:
            return 0
        try:
            self.runners[ritual.kind](
                db=self.db,
                client=self.client_factory(ritual.team_id),
                ritual_id=ritual.id,
                occurrence=occurrence.key,
                scheduled_for=occurrence.at,
            )
        except Exception:  # one ritual's failure must not stop the others; retried next pass
            log.exception("ritual %s occurrence %s failed", ritual.id, occurrence.key)
            return 0
        with self.db.transaction() as session:
            session.execute(
                update(RitualRun)
                .where(
                    RitualRun.team_id == ritual.team_id,
                    RitualRun.ritual_id == ritual.id,
                    RitualRun.occurrence == occurrence.key,
                )
                .values(state="done", updated_at=utcnow())
            )
        return 1
