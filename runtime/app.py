"""The app factory: a Bolt app wired to the database and to the configured Slack API."""

from __future__ import annotations

import logging
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_bolt.oauth.oauth_settings import OAuthSettings

import handlers
from handlers.follow_ups import FollowUps
from jobs.outbox import Sender
from runtime.config import Settings
from runtime.installations import SealedInstallationStore
from runtime.server import WEB_THREADS
from runtime.slack_api import web_client
from storage.db import Database

if TYPE_CHECKING:
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

BOT_SCOPES = [
    "commands",
    "chat:write",
    "chat:write.public",
    # Standup answers posted under each person's own name and avatar.
    "chat:write.customize",
    "im:write",
    "users:read",
    "channels:read",
    "groups:read",
    "files:write",
    # Each problem's lab notebook as a canvas (jobs/canvas.py).
    "canvases:write",
    # Before sending again a message whose answer was lost, the outbox looks for it.
    "channels:history",
    "groups:history",
    "im:history",
]
NOT_INSTALLED = (
    "ritualbot is not installed in this workspace, or its installation was removed. "
    "Ask a workspace admin to install it again from ritualbot's /slack/install page."
)
# Every listener runs in this pool (Bolt answers on its ack()), and keeps its thread after
# ack() while it posts to Slack. Bolt's default of 5 threads let five slow Slack calls hold
# up every other request's ack past Slack's 3 seconds; twice the server's threads leaves one
# free per in-flight request even when as many finished ones are still talking to Slack.
LISTENER_THREADS = 2 * WEB_THREADS


def oauth_stores(
    settings: Settings, db: Database
) -> tuple[SealedInstallationStore, SQLAlchemyOAuthStateStore]:
    """Installations and OAuth states kept in our database by slack_sdk's SQLAlchemy
    stores, their tables created if missing."""
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    installations = SealedInstallationStore(
        client_id=settings.client_id, engine=db.engine, box=settings.secret_box()
    )
    states = SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=db.engine)
    installations.create_tables()
    states.metadata.create_all(db.engine)
    return installations, states


def _oauth_settings(settings: Settings, db: Database) -> OAuthSettings:
    installations, states = oauth_stores(settings, db)
    return OAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scopes=BOT_SCOPES,
        installation_store=installations,
        state_store=states,
    )


def create_app(
    *,
    settings: Settings,
    db: Database,
    sender: Sender,
    listener_executor: Executor | None = None,
    follow_ups: FollowUps | None = None,
) -> App:
    """The Bolt app with every listener registered and `db` available to each of them."""
    background = listener_executor or ThreadPoolExecutor(
        max_workers=LISTENER_THREADS, thread_name_prefix="listener"
    )
    app = App(
        client=web_client(settings, token=None if settings.oauth else settings.bot_token),
        signing_secret=settings.signing_secret,
        oauth_settings=_oauth_settings(settings, db) if settings.oauth else None,
        # Listeners hand themselves to `background` and answer on ack() (handlers.errors).
        process_before_response=False,
        raise_error_for_unhandled_request=False,
        user_facing_authorize_error_message=NOT_INSTALLED,
        logger=logging.getLogger("ritualbot.bolt"),
        listener_executor=background,
    )
    handlers.register(
        app,
        db=db,
        follow_ups=follow_ups or FollowUps(),
        sender=sender,
        slack_api_url=settings.slack_api_url,
        secrets=settings.secret_box(),
        public_url=settings.public_url,
    )
    return app
