"""Slack I/O only: Bolt listeners, each ack → parse → one service call → render → send."""

from __future__ import annotations

from slack_bolt import App

from handlers import (
    analyses,
    decisions,
    digest,
    errors,
    experiment_form,
    experiments,
    home,
    pickers,
    problem_form,
    problems,
    ritual,
    shortcuts,
    standup,
    standup_dm,
    trackers,
    watch,
)
from handlers.follow_ups import FollowUps
from handlers.middleware import Clean, Identify, OneWorkspace, Provide, SlackResponseUrls
from handlers.people import People
from jobs.outbox import Sender
from storage.db import Database
from storage.secrets import SecretBox

MODULES = (
    problems,
    problem_form,
    decisions,
    experiments,
    experiment_form,
    pickers,
    analyses,
    shortcuts,
    home,
    digest,
    ritual,
    standup,
    standup_dm,
    trackers,
    watch,
)


def register(
    app: App,
    *,
    db: Database,
    follow_ups: FollowUps,
    sender: Sender,
    slack_api_url: str,
    secrets: SecretBox | None = None,
    public_url: str | None = None,
) -> None:
    """Every listener, reading cleaned text, with `db`, `people`, `follow_ups` for work
    nobody waits for, the outbox's `sender`, the `secrets` box and the `public_url` MLflow
    reaches the app at; only for requests whose response_url is Slack's."""
    app.use(SlackResponseUrls(api_url=slack_api_url))
    app.use(OneWorkspace())
    app.use(Clean())
    app.use(
        Provide(
            db=db,
            people=People(),
            follow_ups=follow_ups,
            sender=sender,
            secrets=secrets,
            public_url=public_url,
        )
    )
    app.use(Identify())
    errors.register(app)
    for module in MODULES:
        module.register(app)
