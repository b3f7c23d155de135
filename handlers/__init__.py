"""Slack I/O only: Bolt listeners, each ack → parse → one service call → render → send."""

from __future__ import annotations

from slack_bolt import App

from bot.follow_ups import FollowUps
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
from handlers.middleware import Provide
from handlers.people import People
from storage.db import Database

MODULES = (problems, experiments, analyses, shortcuts, home, digest, ritual, standup)


def register(app: App, *, db: Database, follow_ups: FollowUps) -> None:
    """Every listener, with `db`, `people`, and `follow_ups` for work nobody waits for."""
    app.use(Provide(db=db, people=People(), follow_ups=follow_ups))
    errors.register(app)
    for module in MODULES:
        module.register(app)
