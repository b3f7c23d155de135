"""What a clock process needs, and nothing of the web app: the database opened, a Web API
client per workspace, the ritual clock started. `ritualbot clock` imports only this, so a
clock starts without loading Bolt and every listener.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_sdk import WebClient
from sqlalchemy.engine import make_url

from runtime.clock import RitualScheduler
from runtime.config import Settings
from runtime.installations import SealedInstallationStore
from runtime.slack_api import job_client
from storage import migrate
from storage.db import Database


class NotMigrated(Exception):
    """The database schema is behind the code."""


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
