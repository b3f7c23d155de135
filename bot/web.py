"""The WSGI application: Slack at POST /slack/events, health at GET /healthz."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text

from storage.db import Database

log = logging.getLogger(__name__)

# Slack's own payloads are a few kilobytes; anything far larger is not from Slack.
MAX_BODY_BYTES = 1_000_000

StartResponse = Callable[..., Any]


class WebApp:
    """Routes HTTP to Bolt, answers health checks, and refuses oversized bodies."""

    def __init__(self, *, app: App, db: Database):
        self.slack = SlackRequestHandler(app, path="/slack/events")
        self.db = db

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == "/healthz" and method == "GET":
            return self._health(start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY_BYTES:
            log.warning(
                "refused a request body of %s bytes on %s", environ.get("CONTENT_LENGTH"), path
            )
            return _reply(start_response, "413 Payload Too Large", {"error": "body too large"})
        return self.slack(environ, start_response)

    def _health(self, start_response: StartResponse) -> Iterable[bytes]:
        try:
            with self.db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:
            log.warning("health check: database unreachable (%s)", type(error).__name__)
            return _reply(
                start_response, "503 Service Unavailable", {"ok": False, "database": "unreachable"}
            )
        return _reply(start_response, "200 OK", {"ok": True})


def _reply(start_response: StartResponse, status: str, payload: dict[str, Any]) -> Iterable[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
