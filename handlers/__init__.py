"""Slack I/O only: Bolt listeners, each ack → parse → one service call → render → send."""

from __future__ import annotations

from slack_bolt import App

from handlers import errors, home, problems, standup
from handlers.middleware import provide
from storage.db import Database

MODULES = (problems, standup, home)


def register(app: App, *, db: Database) -> None:
    app.use(provide(db=db))
    errors.register(app)
    for module in MODULES:
        module.register(app)
