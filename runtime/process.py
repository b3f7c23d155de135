"""Builds the running pieces from settings: database, Bolt app, WSGI app."""

from __future__ import annotations

import fcntl
import logging
import os
import tempfile
import threading
from concurrent.futures import Executor
from dataclasses import dataclass

from slack_bolt import App

from handlers.follow_ups import FollowUps
from jobs.outbox import Sender
from runtime.app import create_app, oauth_stores
from runtime.clock_process import client_factory, open_database, start_scheduler
from runtime.config import Settings
from runtime.hooks import ExperimentsHook
from runtime.registry_hook import RegistryHook
from runtime.web import WebApp
from storage.db import Database

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    db: Database
    app: App
    web: WebApp
    follow_ups: FollowUps
    sender: Sender


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
        registry_hook=RegistryHook(db=db, sender=sender, box=settings.secret_box()),
    )
    return Runtime(settings=settings, db=db, app=app, web=web, follow_ups=follow_ups, sender=sender)


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
