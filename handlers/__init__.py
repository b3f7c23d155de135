"""Slack I/O only: Bolt listeners, each ack → parse → one service call → render → send."""

from __future__ import annotations

from slack_bolt import App

from handlers import (
    analyses,
    digest,
    errors,
    experiments,
    home,
    problems,
    ritual,
    shortcuts,
    standup,
)
from handlers.middleware import provide
from handlers.people import People
from storage.db import Database

MODULES = (problems, experiments, analyses, shortcuts, home, digest, ritual, standup)


def register(app: App, *, db: Database) -> None:
    app.use(provide(db=db, people=People()))
    errors.register(app)
    for module in MODULES:
        module.register(app)
