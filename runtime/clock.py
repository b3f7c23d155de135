"""The clock: APScheduler cron triggers wake it, the database decides what is due.

Rituals live in the database. Each ritual's steps become cron triggers in their own
timezone (rebuilt by `reconcile` at start and whenever the rituals table changes); any
trigger, and a sweep every minute, calls `fire_due`, which claims each due occurrence by
inserting its unique run row (committed before anything is posted) and runs the kind's
runner (runtime/firing.py, workspaces side by side). An occurrence missed while no clock
ran is delivered once, late, within the kind's grace window; one whose runner failed is
run again on the next pass. Runners only queue messages in the outbox (each keyed, so a
second run queues nothing new); the clock then sends them, and sweeps the outbox every
minute for what Slack did not take yet. After each renewal of its lease it looks for
work a dead clock left, and takes it over then.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient
from sqlalchemy import func, select

from bot import rituals, triggers
from bot.schedule import next_occurrence
from bot.standup import service as standups
from jobs import rituals as jobs
from jobs import roster, run_values
from jobs.lease import Lease
from jobs.outbox import Sender
from jobs.sending import sending_meanwhile
from runtime.firing import Firing, Scheduled
from storage import claimers, outbox
from storage.db import Database
from storage.rituals import Ritual
from storage.secrets import SecretBox
from storage.types import utcnow

log = logging.getLogger(__name__)

SWEEP_SECONDS = 60
ROSTER_REFRESH = timedelta(hours=6)
# How long sent messages and handled requests are kept (see prune).
OUTBOX_KEPT = timedelta(days=30)
REQUESTS_KEPT = timedelta(days=1)
PRUNE_BATCH = 1000
CRON_DAYS = {1: "mon", 2: "tue", 3: "wed", 4: "thu", 5: "fri", 6: "sat", 7: "sun"}
JOB_PREFIX = "ritual:"


class RitualScheduler:
    def __init__(
        self,
        *,
        db: Database,
        client_factory: Callable[[str], WebClient],
        now: Callable[[], datetime] | None = None,
        lease: Lease | None = None,
        secrets: SecretBox | None = None,
    ) -> None:
        self.db = db
        self.secrets = secrets
        self.client_factory = client_factory
        self.now = now or utcnow
        # What this clock claims (ritual runs, outbox messages) another takes over if it dies.
        self.lease = lease or Lease(db=db, clock=self.now)
        self.lease.after_renewal = self._look_for_orphans
        self.sender = Sender(db=db, client_for=client_factory, clock=self.now, lease=self.lease)
        self.firing = Firing(
            db=db,
            runners=jobs.runners(secrets),
            client_factory=client_factory,
            lease=self.lease,
            now=self.now,
        )
        self._scheduler = BackgroundScheduler(
            timezone=ZoneInfo("UTC"),
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        )
        self._firing = threading.Lock()
        self._fingerprint: tuple[int, datetime | None] | None = None

    # Lifecycle ------------------------------------------------------------------

    def start(self) -> None:
        """Build the triggers, start the clock, and deliver what was missed while down."""
        self.reconcile()
        self._scheduler.add_job(
            self._sweep, IntervalTrigger(seconds=SWEEP_SECONDS), id="sweep", replace_existing=True
        )
        self._scheduler.add_job(
            self.refresh_rosters, IntervalTrigger(hours=1), id="rosters", replace_existing=True
        )
        self._scheduler.add_job(
            self.prune, IntervalTrigger(hours=1), id="prune", replace_existing=True
        )
        self._scheduler.add_job(
            self.read_runs,
            IntervalTrigger(seconds=SWEEP_SECONDS),
            id="run-values",
            replace_existing=True,
        )
        self._scheduler.add_job(self._wake, id="catch-up", replace_existing=True)
        self._scheduler.add_job(
            self.sender.sweep,
            IntervalTrigger(seconds=SWEEP_SECONDS),
            id="outbox",
            replace_existing=True,
            next_run_time=datetime.now(UTC),  # APScheduler's own clock: run once at start
        )
        self._scheduler.start()
        self.lease.start()
        log.info("ritual scheduler started")

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
        self.lease.stop()

    # Triggers -------------------------------------------------------------------

    def reconcile(self) -> None:
        """Rebuild the cron triggers from the rituals table."""
        rituals = self._rituals()
        wanted: dict[str, CronTrigger] = {}
        for ritual in rituals:
            for zone in ritual.plan.zones:
                for step in ritual.plan.steps:
                    days = sorted(
                        CRON_DAYS[(d - 1 + step.days_after) % 7 + 1] for d in ritual.plan.weekdays
                    )
                    if not days:
                        continue
                    wanted[f"{JOB_PREFIX}{ritual.id}:{step.name}:{zone}"] = CronTrigger(
                        day_of_week=",".join(days),
                        hour=step.at.hour,
                        minute=step.at.minute,
                        timezone=ZoneInfo(zone),
                    )
        for job in self._scheduler.get_jobs():
            if job.id.startswith(JOB_PREFIX) and job.id not in wanted:
                job.remove()
        for job_id, trigger in wanted.items():
            self._scheduler.add_job(self._wake, trigger, id=job_id, replace_existing=True)
        self._fingerprint = self._current_fingerprint()

    def next_wakeups(self, after: datetime) -> dict[str, datetime]:
        """When each ritual trigger will next wake the clock, by job id (for diagnosis)."""
        wakeups = {}
        for job in self._scheduler.get_jobs():
            if job.id.startswith(JOB_PREFIX):
                at = job.trigger.get_next_fire_time(None, after)
                if at is not None:
                    wakeups[job.id] = at.astimezone(after.tzinfo)
        return wakeups

    def _current_fingerprint(self) -> tuple[int, datetime | None]:
        with self.db.reading() as session:
            count, latest = session.execute(
                select(func.count(Ritual.id), func.max(Ritual.updated_at))
            ).one()
        return int(count), latest

    def _sweep(self) -> None:
        if self._current_fingerprint() != self._fingerprint:
            self.reconcile()
        self._wake()

    def read_runs(self) -> int:
        """Read the values of runs whose tracker did not answer before; how many messages
        that queued (redrawn confirmations, notices to authors), sent now."""
        queued = run_values.sweep(self.db, box=self.secrets, now=self.now())
        if queued:
            self.sender.send(queued)
        return len(queued)

    def _wake(self) -> None:
        self.fire_due(self.now())

    # A dead clock's work ------------------------------------------------------------

    def _look_for_orphans(self) -> None:
        """After each renewal of this clock's lease: if a dead clock left claims, take them
        over now, on the scheduler's thread (not at the next minute's sweep)."""
        if self._scheduler.running and self.orphans():
            self._scheduler.add_job(self.take_over, id="take-over", replace_existing=True)

    def orphans(self) -> bool:
        """Whether a dead clock left messages claimed or ritual runs unfinished."""
        now = self.now()
        with self.db.reading() as session:
            return claimers.orphaned(session, now=now, runs_since=now - rituals.LONGEST_GRACE)

    def take_over(self) -> None:
        """Run the due occurrences a dead clock left unfinished and resolve its claims."""
        self.fire_due(self.now())
        self.sender.sweep()

    def _rituals(self) -> list[Scheduled]:
        with self.db.reading() as session:
            rows = session.scalars(select(Ritual).where(Ritual.enabled.is_(True))).all()
            return [
                Scheduled(id=r.id, team_id=r.team_id, kind=r.kind, plan=rituals.plan_for(r))
                for r in rows
                if r.kind in jobs.RUNNERS
            ]

    def next_due(self, after: datetime) -> datetime | None:
        """The earliest occurrence of any enabled ritual strictly after `after`."""
        upcoming = [next_occurrence(r.plan, after) for r in self._rituals()]
        return min((o.at for o in upcoming if o is not None), default=None)

    def fire_due(self, now: datetime) -> int:
        """Claim and run every occurrence due at or before `now` within its grace, sending
        what they queue in the outbox as they go; how many ran."""
        with self._firing, sending_meanwhile(self.sender) as queued:
            return self.firing.fire(self._rituals(), now, queued)

    # Upkeep ---------------------------------------------------------------------

    def prune(self) -> tuple[int, int]:
        """Forget sent and failed messages a month old, and handled requests a day old, a
        batch at a time so no transaction holds the writer for long: (messages, requests)."""
        now = self.now()
        messages = requests = 0
        while True:
            with self.db.transaction() as session:
                n = outbox.prune(session, before=now - OUTBOX_KEPT, limit=PRUNE_BATCH)
            messages += n
            if n < PRUNE_BATCH:
                break
        with self.db.transaction() as session:
            requests = triggers.forget(session, before=now - REQUESTS_KEPT)
            claimers.forget(session, before=now - REQUESTS_KEPT)
        if messages or requests:
            log.info("pruned %s sent messages and %s handled requests", messages, requests)
        return messages, requests

    # Rosters --------------------------------------------------------------------

    def refresh_rosters(self) -> None:
        """Re-read standup participants and their timezones from Slack every few hours."""

        with self.db.reading() as session:
            stale = standups.stale_rosters(session, older_than=self.now() - ROSTER_REFRESH)
        for team_id, ritual_id in stale:
            with self.db.transaction() as session:
                record = standups.for_job(session, ritual_id=ritual_id)
            if record is not None:
                roster.sync(db=self.db, client=self.client_factory(team_id), record=record)
