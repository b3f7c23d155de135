"""Serve ritualbot (`ritualbot run`), or a bare Bolt app that only acks, with the same
gunicorn settings (runtime.server.gunicorn_options, the Procfile's `web`).

Run by the benchmarks as a subprocess: `python bench/servers.py ritualbot|bare PORT`, with
the usual environment (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL, DATABASE_URL,
WEB_CONCURRENCY).
"""

from __future__ import annotations

import os
import sys
from typing import Any


def bare() -> Any:
    """The baseline: Bolt on the same server, acking /problem (and message events) and doing
    nothing else."""
    from slack_bolt import Ack, App
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    from runtime import config
    from runtime.slack_api import web_client

    settings = config.load()
    app = App(
        client=web_client(settings, token=settings.bot_token),
        signing_secret=settings.signing_secret,
        process_before_response=False,
    )

    def only_ack(ack: Ack) -> None:
        ack()

    app.command("/problem")(only_ack)
    app.view("problem_modal")(only_ack)
    app.event("message")(only_ack)
    return SlackRequestHandler(app, path="/slack/events")


def main(argv: list[str]) -> int:
    from runtime import cli, config
    from runtime.server import Gunicorn, gunicorn_options

    kind, port = argv[0], argv[1]
    os.environ["PORT"] = port
    if kind == "ritualbot":
        return cli.main(["run"])
    settings = config.load()
    Gunicorn(bare, gunicorn_options(port=settings.port, workers=settings.web_workers)).run()
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    raise SystemExit(main(sys.argv[1:]))
