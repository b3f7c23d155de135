"""The one error handler: typed domain errors become text for the person who hit them."""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.kwargs_injection import Args
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.blocks import plain
from bot.errors import AlreadyHandled, RitualbotError, ValidationFailed
from bot.problems.render import usage
from bot.text import escape
from handlers.slack import why_slack_failed
from storage.db import CommitUnknown

log = logging.getLogger(__name__)

DATABASE_DOWN = (
    "I couldn't reach the database, so nothing was saved. Try again in a minute; "
    "if it keeps failing, tell whoever runs ritualbot."
)
DATABASE_LOST_AFTER = (
    "I lost the database while finishing up. What I confirmed above is saved; "
    "if something is missing, try that step again in a minute."
)
SAVE_UNCONFIRMED = (
    "I lost the database just as I was saving, so I can't tell whether that was saved. "
    "Look for it in a minute before you try again, so it isn't saved twice."
)
UNEXPECTED = (
    "Something went wrong on my side and nothing was saved. Try again; "
    "if it keeps failing, tell whoever runs ritualbot."
)


def user_text(error: Exception) -> str:
    if isinstance(error, RitualbotError):
        return error.message
    if isinstance(error, CommitUnknown):
        return SAVE_UNCONFIRMED
    if isinstance(error, OperationalError | InterfaceError | PoolTimeout):
        return DATABASE_DOWN
    if isinstance(error, SlackApiError | TimeoutError | ConnectionError):
        return f"I couldn't do that: {why_slack_failed(error)}. Nothing was saved; try again."
    return UNEXPECTED


def shown(error: Exception, text: str) -> str:
    """`text` as mrkdwn: the error's own mrkdwn when it has one, else `text` escaped."""
    own = error.shown if isinstance(error, RitualbotError) else None
    return own or escape(text)


def _answer(body: dict[str, Any], error: Exception, text: str) -> BoltResponse | None:
    """The HTTP answer that shows `text`, for requests not yet acknowledged."""
    if "command" in body:
        blocks = usage(shown(error, text), command=body["command"])
        payload = {"response_type": "ephemeral", "text": escape(text), "blocks": blocks}
        return BoltResponse(
            status=200, body=json.dumps(payload), headers={"content-type": ["application/json"]}
        )
    if body.get("type") == "block_suggestion":
        # A menu waiting for options lists none; a DM about a keystroke would be noise.
        return BoltResponse(
            status=200,
            body=json.dumps({"options": []}),
            headers={"content-type": ["application/json"]},
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
                    "blocks": [
                        {"type": "section", "text": {"type": "mrkdwn", "text": shown(error, text)}}
                    ],
                },
            }
        return BoltResponse(
            status=200, body=json.dumps(payload), headers={"content-type": ["application/json"]}
        )
    return None


def _tell(body: dict[str, Any], client: WebClient, respond: Any, text: str) -> None:
    """Tell the user after the request was acknowledged: in place if possible, else by DM;
    `text` is mrkdwn."""
    if body.get("response_url") or body.get("response_urls"):
        respond(text=text, response_type="ephemeral", replace_original=False)
        return
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    if body.get("type") == "event_callback":  # a message in the DM: answered there
        user = (body.get("event") or {}).get("user")
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
    if text is DATABASE_DOWN and response is None:
        # Already acknowledged: the ack told the truth about what was saved.
        text = DATABASE_LOST_AFTER
    if isinstance(error, AlreadyHandled) and body.get("type") == "event_callback":
        # Slack delivered an event again: the person sent it once, and it was handled once.
        log.info("ignored an event delivered again")
        return BoltResponse(status=200, body="") if response is not None else None
    if text is UNEXPECTED:
        log.exception("unhandled error in a listener", exc_info=error)
    else:
        log.info("told the user: %s (%s)", text, type(error).__name__)
    if response is not None:
        answer = _answer(body, error, text)
        if answer is not None:
            return answer
    try:
        _tell(body, client, respond, shown(error, text))
    except Exception:  # the user cannot be told; the log above has the cause
        log.warning("could not tell the user about an error", exc_info=True)
    return BoltResponse(status=200, body="") if response is not None else None


def after_ack(listener: Callable[..., None]) -> Callable[[Args], None]:
    """`listener`, with an error it raises after its ack() told to the person by `handle`
    here, instead of raised to Bolt.

    Bolt's runner sets the ack's response back to None when a listener raises after acking,
    and if the request thread had not yet seen the ack, Slack got a 404 after 3 s: 'Add
    details' on a missing problem hit it every other click (slack_bolt 1.30). An error
    before the ack goes to Bolt, which answers the request with what `handle` returns.
    """
    names = inspect.getfullargspec(listener).args

    def run(args: Args) -> None:
        available = {**args.context, **vars(args)}
        try:
            listener(**{name: available[name] for name in names})
        except Exception as error:
            if args.ack.response is None:
                raise
            handle(error, args.body, None, args.client, args.respond)

    run.__name__ = run.__qualname__ = listener.__name__
    return run


def register(app: App) -> None:
    app.error(handle)
