"""Serve ritualbot, or a bare Bolt app that only acks, through the same gunicorn settings.

Run by the benchmarks as a subprocess: `python bench/servers.py ritualbot|bare PORT`, with
the usual environment (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL, DATABASE_URL).
"""

from __future__ import annotations

import os
import sys
from typing import Any

WORKERS = int(os.environ.get("WEB_CONCURRENCY", "2"))


def ritualbot() -> Any:
    from bot import config
    from bot.runtime import build

    settings = config.load()
    settings.require_slack()
    return build(settings, auto_migrate=False).web


def bare() -> Any:
    """The baseline: Bolt on the same server, acking /problem and doing nothing else."""
    from slack_bolt import Ack, App
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    from bot import config
    from bot.app import web_client

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
    return SlackRequestHandler(app, path="/slack/events")


def main(argv: list[str]) -> None:
    from bot.server import Gunicorn, gunicorn_options

    kind, port = argv[0], int(argv[1])
    build = {"ritualbot": ritualbot, "bare": bare}[kind]
    options = gunicorn_options(port=port, host="127.0.0.1", workers=WORKERS)
    Gunicorn(build, options).run()


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    main(sys.argv[1:])
