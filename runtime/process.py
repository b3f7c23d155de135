"""Builds the running pieces from settings: database, Bolt app, WSGI app."""

from __future__ import annotations

import fcntl
import logging
import os
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy.engine import make_url

from handlers.follow_ups import FollowUps
from jobs.outbox import Sender
from runtime.app import create_app, job_client, oauth_stores
from runtime.clock import RitualScheduler
from runtime.config import Settings
from runtime.hooks import ExperimentsHook
from runtime.installations import SealedInstallationStore
from runtime.web import WebApp
from storage import migrate
from storage.db import Database

log = logging.getLogger(__name__)


class NotMigrated(Exception):
    """The database schema is behind the code."""


@dataclass
class Runtime:
    settings: Settings
    db: Database
    app: App
    web: WebApp
    follow_ups: FollowUps
    sender: Sender


def open_database(settings: Settings, *, auto_migrate: bool) -> Database:
    """Open the database; SQLite (the embedded default) is created and migrated on first use."""
    db = Database.from_url(settings.database_url)
    if auto_migrate or make_url(settings.database_url).get_backend_name() == "sqlite":
        migrate.upgrade(db.engine)
    elif not migrate.is_current(db.engine):
        raise NotMigrated(
            "The database schema is not up to date: run `ritualbot migrate` "
            "(the Procfile's release phase does it on deploy)."
        )
    return db


def prepare(settings: Settings) -> None:
    """What the web workers of one server must not each do at once, done before they
    start: migrate the database (SQLite is created on first run), create the OAuth
    stores' tables."""
    db = open_database(settings, auto_migrate=True)
    try:
        if settings.oauth:
            oauth_stores(settings, db)
    finally:
        db.dispose()


def build(
    settings: Settings,
    *,
    auto_migrate: bool = True,
    listener_executor: Executor | None = None,
    follow_up_executor: Executor | None = None,
) -> Runtime:
    db = open_database(settings, auto_migrate=auto_migrate)
    follow_ups = FollowUps(follow_up_executor)
    sender = Sender(db=db, client_for=client_factory(settings, db))
    app = create_app(
        settings=settings,
        db=db,
        sender=sender,
        listener_executor=listener_executor,
        follow_ups=follow_ups,
    )
    web = WebApp(
        app=app,
        db=db,
        signing_secret=settings.signing_secret,
        follow_ups=follow_ups,
        experiments_hook=ExperimentsHook(db=db, sender=sender),
    )
    return Runtime(settings=settings, db=db, app=app, web=web, follow_ups=follow_ups, sender=sender)


def client_factory(settings: Settings, db: Database) -> Callable[[str], WebClient]:
    """A Web API client per workspace: the one bot token, or each installation's token."""
    if not settings.oauth:
        client = job_client(settings, token=settings.bot_token)
        return lambda _team_id: client
    installations = SealedInstallationStore(
        client_id=settings.client_id, engine=db.engine, box=settings.secret_box()
    )

    def for_team(team_id: str) -> WebClient:
        bot = installations.find_bot(enterprise_id=None, team_id=team_id)
        return job_client(settings, token=bot.bot_token if bot else None)

    return for_team


def start_scheduler(settings: Settings, db: Database) -> RitualScheduler:
    """The ritual clock, in this process (`ritualbot run`, `ritualbot clock`)."""
    scheduler = RitualScheduler(
        db=db, client_factory=client_factory(settings, db), secrets=settings.secret_box()
    )
    scheduler.start()
    return scheduler


def start_clock_in_one_worker(settings: Settings, db: Database) -> None:
    """The ritual clock in one of the web server's workers (`ritualbot run`).

    Each worker waits in a thread for an exclusive flock on a file named after the server
    (the workers' parent); the first to take it runs the clock for as long as it lives.
    When that worker dies, the kernel lets go of its lock and a waiting worker takes the
    clock over, so standups and digests keep coming whichever worker gunicorn replaces.
    """
    path = os.path.join(tempfile.gettempdir(), f"ritualbot-clock-{os.getppid()}.lock")

    def wait_then_run() -> None:
        held = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        fcntl.flock(held, fcntl.LOCK_EX)  # held until this process ends
        try:
            start_scheduler(settings, db)
        except Exception:
            log.exception("the ritual clock did not start in worker %s", os.getpid())
            os.close(held)  # another worker may start it
            return
        log.info("ritual clock running in worker %s", os.getpid())

    threading.Thread(target=wait_then_run, name="clock-turn", daemon=True).start()
