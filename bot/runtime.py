"""Builds the running pieces from settings: database, Bolt app, WSGI app."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy.engine import make_url

from bot.app import create_app, job_client
from bot.config import Settings
from bot.later import Later, Traffic
from bot.scheduler import RitualScheduler
from bot.web import WebApp
from storage import migrate
from storage.db import Database


class NotMigrated(Exception):
    """The database schema is behind the code."""


@dataclass
class Runtime:
    settings: Settings
    db: Database
    app: App
    web: WebApp
    later: Later


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


def build(
    settings: Settings, *, auto_migrate: bool = True, listener_executor: Executor | None = None
) -> Runtime:
    db = open_database(settings, auto_migrate=auto_migrate)
    traffic = Traffic()
    later = Later(traffic)
    app = create_app(settings=settings, db=db, listener_executor=listener_executor, later=later)
    web = WebApp(app=app, db=db, traffic=traffic)
    return Runtime(settings=settings, db=db, app=app, web=web, later=later)


def client_factory(settings: Settings, db: Database) -> Callable[[str], WebClient]:
    """A Web API client per workspace: the one bot token, or each installation's token."""
    if not settings.oauth:
        client = job_client(settings, token=settings.bot_token)
        return lambda _team_id: client
    installations = SQLAlchemyInstallationStore(client_id=settings.client_id, engine=db.engine)

    def for_team(team_id: str) -> WebClient:
        bot = installations.find_bot(enterprise_id=None, team_id=team_id)
        return job_client(settings, token=bot.bot_token if bot else None)

    return for_team


def start_scheduler(settings: Settings, db: Database) -> RitualScheduler:
    """The ritual clock, in this process (`ritualbot run`, `ritualbot clock`)."""
    scheduler = RitualScheduler(db=db, client_factory=client_factory(settings, db))
    scheduler.start()
    return scheduler
