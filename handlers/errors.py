"""The one error handler: typed domain errors become text for the person who hit them."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.errors import RitualbotError, ValidationFailed
from bot.render.problems import usage
from bot.render.text import plain

log = logging.getLogger(__name__)

DATABASE_DOWN = (
    "I couldn't reach the database, so nothing was saved. Try again in a minute; "
    "if it keeps failing, tell whoever runs ritualbot."
)
UNEXPECTED = (
    "Something went wrong on my side and nothing was saved. Try again; "
    "if it keeps failing, tell whoever runs ritualbot."
)


def user_text(error: Exception) -> str:
    if isinstance(error, RitualbotError):
        return error.message
    if isinstance(error, OperationalError | InterfaceError | PoolTimeout):
        return DATABASE_DOWN
    return UNEXPECTED


def _answer(body: dict[str, Any], error: Exception, text: str) -> BoltResponse | None:
    """The HTTP answer that shows `text`, for requests not yet acknowledged."""
    if "command" in body:
        payload = {
            "response_type": "ephemeral",
            "text": text,
            "blocks": usage(text, command=body["command"]),
        }
        return BoltResponse(
            status=200, body=json.dumps(payload), headers={"content-type": ["application/json"]}
        )
    if body.get("type") == "view_submission":
        if isinstance(error, ValidationFailed):
            payload = {"response_action": "errors", "errors": error.errors}
        else:
            # Push a small notice over the form, so what was typed is still there beneath it.
            payload = {
                "response_action": "push",
                "view": {
                    "type": "modal",
                    "title": plain("Not saved", 24),
                    "close": plain("Back", 24),
                    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
                },
            }
        return BoltResponse(
            status=200, body=json.dumps(payload), headers={"content-type": ["application/json"]}
        )
    return None


def _tell(body: dict[str, Any], client: WebClient, respond: Any, text: str) -> None:
    """Tell the user after the request was acknowledged: in place if possible, else by DM."""
    if body.get("response_url") or body.get("response_urls"):
        respond(text=text, response_type="ephemeral", replace_original=False)
        return
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    if user:
        client.chat_postMessage(channel=user, text=text)


def handle(
    error: Exception,
    body: dict[str, Any],
    response: BoltResponse | None,
    client: WebClient,
    respond: Any,
) -> BoltResponse | None:
    text = user_text(error)
    if text is UNEXPECTED:
        log.exception("unhandled error in a listener", exc_info=error)
    else:
        log.info("told the user: %s (%s)", text, type(error).__name__)
    if response is not None:
        answer = _answer(body, error, text)
        if answer is not None:
            return answer
    try:
        _tell(body, client, respond, text)
    except Exception:  # the user cannot be told; the log above has the cause
        log.warning("could not tell the user about an error", exc_info=True)
    return BoltResponse(status=200, body="") if response is not None else None


def register(app: App) -> None:
    app.error(handle)
