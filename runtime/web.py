"""The WSGI application: Slack at POST /slack/events, training scripts at
POST /hooks/experiments, MLflow's model registry at POST /hooks/mlflow/<key>, health at
GET /healthz."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.request.internals import build_context
from sqlalchemy import text

from handlers.follow_ups import FollowUps
from runtime import hooks
from runtime.registry_hook import PREFIX as REGISTRY_PREFIX
from runtime.registry_hook import RegistryHook
from storage.db import Database

log = logging.getLogger(__name__)

# Slack's own payloads are a few kilobytes; anything far larger is not from Slack.
MAX_BODY_BYTES = 1_000_000
# Slack's rule: a request stamped more than five minutes from now may be a replay.
MAX_CLOCK_SKEW_SECONDS = 5 * 60
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
FORM, JSON = "application/x-www-form-urlencoded", "application/json"

StartResponse = Callable[..., Any]


class _Request(BoltRequest):
    """Bolt reads any form containing the letters "payload" as an interaction, so a command
    like `/problem payload size regressed` reached no listener (404, "dispatch_failed" in
    Slack). A form without a `payload` field is read as the plain form it is."""

    def __init__(self, *, body: str, query: str | None, headers: dict[str, Any]):
        super().__init__(body=body, query=query, headers=headers)
        if "payload" in body and not body.lstrip().startswith("{") and not self.body:
            fields = dict(parse_qsl(body, keep_blank_values=True))
            if "payload" not in fields:
                self.body = fields
                self.context = build_context(BoltContext({}), self.body)


class _Handler(SlackRequestHandler):
    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        """Bolt's dispatch of a request it can read; 400 for a body no Slack request has.

        Bolt parses before it verifies the signature, guessing the format from the first
        byte, and answers 500 when its guess fails; so the declared type is checked first,
        and the request Bolt parsed (once) is checked before it is dispatched.
        """
        try:
            body = request.get_body()
            why = _wrong_shape(body, request.environ.get("CONTENT_TYPE"))
            if why is None:
                parsed = _Request(
                    body=body, query=request.query_string, headers=request.get_headers()
                )
                if not isinstance(parsed.body, dict):
                    why = f"a {type(parsed.body).__name__} where an object was expected"
        except ValueError as error:  # undecodable bytes or broken JSON
            why = f"{type(error).__name__}: {str(error)[:80]}"
        except (AttributeError, TypeError):  # Bolt reading a JSON value that is not an object
            why = "JSON that is not an object"
        if why is not None:
            log.warning("refused a malformed request on %s: %s", self.path, why)
            return BoltResponse(
                status=400,
                body=json.dumps({"error": "malformed request"}),
                headers={"content-type": JSON},
            )
        return self.app.dispatch(parsed)


class WebApp:
    """Routes HTTP to Bolt or to a webhook (experiments, model registry), answers health
    checks, and refuses oversized bodies."""

    def __init__(
        self,
        *,
        app: App,
        db: Database,
        signing_secret: str | None,
        follow_ups: FollowUps,
        experiments_hook: hooks.ExperimentsHook,
        registry_hook: RegistryHook,
    ):
        self.slack = _Handler(app, path="/slack/events")
        self.experiments_hook = experiments_hook
        self.registry_hook = registry_hook
        self.db = db
        self.signing_secret = signing_secret
        self.follow_ups = follow_ups  # told when each request starts and ends

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
            return _reply(
                start_response,
                "413 Payload Too Large",
                {
                    "error": "body too large",
                    "message": f"A request body may hold at most {MAX_BODY_BYTES} bytes.",
                },
            )
        body = environ["wsgi.input"].read(length) if length else b""
        if path == hooks.PATH:
            # Not Slack's: its own bearer token, checked by the hook, not Slack's signature.
            with self.follow_ups.answering():
                answer = self.experiments_hook.answer(method=method, environ=environ, raw=body)
            return _reply(start_response, answer.status, answer.payload)
        if path.startswith(REGISTRY_PREFIX):
            # MLflow's: signed with the link's own secret, checked by the hook.
            with self.follow_ups.answering():
                answer = self.registry_hook.answer(
                    method=method, path=path, environ=environ, raw=body
                )
            return _reply(start_response, answer.status, answer.payload)
        if method == "POST":
            why = unsigned(body, environ, secret=self.signing_secret, now=time.time())
            if why is not None:
                # Bolt never sees it: no listener, no error handler, no Slack call can follow.
                log.warning("refused a request on %r not signed by Slack: %s", path[:100], why)
                return _reply(start_response, "401 Unauthorized", {"error": "invalid signature"})
        environ["wsgi.input"] = io.BytesIO(body)
        with self.follow_ups.answering():
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


def unsigned(body: bytes, environ: dict[str, Any], *, secret: str | None, now: float) -> str | None:
    """Why this request cannot be shown to come from Slack, or None when its signature holds.

    Every header is checked for shape before use, so no header value can make the check
    itself fail: Bolt's own check raised on a timestamp like `abc`, and the request then
    reached the error handler unverified.
    """
    stamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
    signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
    if secret is None:
        return "no signing secret is configured"
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12):
        return "the timestamp header is missing or not a whole number of seconds"
    if abs(now - int(stamp)) > MAX_CLOCK_SKEW_SECONDS:
        return "the timestamp is more than five minutes from now"
    if not SIGNATURE.fullmatch(signature):
        return "the signature header is missing or malformed"
    base = b"v0:" + stamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return "the signature does not match"
    return None


def _wrong_shape(body: str, content_type: str | None) -> str | None:
    """Why a body of this declared type cannot be a Slack request, or None.

    Slack sends events as a JSON object and everything else as a form (interactions as its
    `payload` field, a JSON object).
    """
    media = (content_type or "").split(";")[0].strip().lower()
    if media not in (FORM, JSON):
        return f"content type {media or 'missing'!r}"
    if media == FORM and body.lstrip().startswith("{"):
        return "a JSON body declared as a form"
    return None


def _reply(start_response: StartResponse, status: str, payload: dict[str, Any]) -> Iterable[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
