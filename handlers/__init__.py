"""Slack I/O only: Bolt listeners, each ack → parse → one service call → render → send."""

from __future__ import annotations

from concurrent.futures import Executor

from slack_bolt import App

from bot.later import Later
from handlers import (
    analyses,
    digest,
    errors,
    experiments,
    home,
    pickers,
    problems,
    ritual,
    shortcuts,
    standup,
)
from handlers.middleware import Provide
from handlers.people import People
from storage.db import Database

MODULES = (problems, experiments, pickers, analyses, shortcuts, home, digest, ritual, standup)


def register(app: App, *, db: Database, background: Executor, later: Later) -> None:
    """Every listener, with `db`, `people`, the `background` pool they run on, and `later`
    for follow-ups nobody waits for."""
    app.use(Provide(db=db, people=People(), background=background, later=later))
    errors.register(app)
    for module in MODULES:
        module.register(app)
