"""The one error handler: typed domain errors become text for the person who hit them."""

from __future__ import annotations

import inspect
import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from slack_bolt import Ack, App, BoltResponse
from slack_bolt.kwargs_injection import Args
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.errors import RitualbotError, ValidationFailed
from bot.render.problems import usage
from bot.render.text import escape, plain
from handlers.slack import why_slack_failed

log = logging.getLogger(__name__)

DATABASE_DOWN = (
    "I couldn't reach the database, so nothing was saved. Try again in a minute; "
    "if it keeps failing, tell whoever runs ritualbot."
)
DATABASE_LOST_AFTER = (
    "I lost the database while finishing up. What I confirmed above is saved; "
    "if something is missing, try that step again in a minute."
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
    if isinstance(error, SlackApiError | TimeoutError | ConnectionError):
        return f"I couldn't do that: {why_slack_failed(error)}. Nothing was saved; try again."
    return UNEXPECTED


def _answer(body: dict[str, Any], error: Exception, text: str) -> BoltResponse | None:
    """The HTTP answer that shows `text`, for requests not yet acknowledged."""
    if "command" in body:
        blocks = usage(text, command=body["command"])
        payload = {"response_type": "ephemeral", "text": escape(text), "blocks": blocks}
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
                    "blocks": [
                        {"type": "section", "text": {"type": "mrkdwn", "text": escape(text)}}
                    ],
                },
            }
        return BoltResponse(
            status=200, body=json.dumps(payload), headers={"content-type": ["application/json"]}
        )
    return None


def _tell(body: dict[str, Any], client: WebClient, respond: Any, text: str) -> None:
    """Tell the user after the request was acknowledged: in place if possible, else by DM."""
    if body.get("response_url") or body.get("response_urls"):
        respond(text=escape(text), response_type="ephemeral", replace_original=False)
        return
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    if user:
        client.chat_postMessage(channel=user, text=escape(text))


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


# How long a request thread waits for its listener's ack(): Slack gives up at 3 seconds.
ACK_WAIT_SECONDS = 2.9


def after_ack(
    listener: Callable[..., None], *, here: Callable[[dict[str, Any]], bool] | None = None
) -> Callable[[Args], None]:
    """Run a listener on the background pool and answer Slack the moment it calls ack().

    The app runs with process_before_response, so Bolt calls this in the request thread and
    sends its HTTP answer when this returns. The listener goes to the pool (the `background`
    executor); this thread is woken by its ack(), or by its error, and returns at once. (Bolt's
    own background mode polls for the ack every 10 ms, which made each answer wait for the
    next tick.) After the ack, the listener goes on with its Slack calls on the pool thread.

    An error before ack() is raised here, in the request thread, so Bolt hands it to `handle`
    with the unsent response and the user reads it in the answer. An error after the ack, or
    after this thread stopped waiting, goes to `handle` on the pool thread and reaches the user
    through response_url or a DM. Events are acknowledged by Bolt itself: their listeners are
    handed to the pool without waiting.

    Requests for which `here(body)` is true are run in the request thread instead: for a
    listener whose only work after ack() is handing follow-ups to `later`, the pool would
    add two thread hand-overs to every answer and nothing else (the hottest path, a quick
    capture, is one).
    """
    names = inspect.getfullargspec(listener).args

    def run(args: Args) -> None:
        if here is not None and here(args.body):
            _run_here(listener, names, args)
            return
        turn = _Turn(args.ack)
        kwargs = _kwargs(names, args, ack=turn.ack)

        def work() -> None:
            try:
                listener(**kwargs)
            except Exception as error:
                if turn.pass_back(error):
                    return
                handle(error, args.body, None, args.client, args.respond)
            finally:
                turn.done.set()

        background: Executor = args.context["background"]
        background.submit(work)
        if args.body.get("type") == "event_callback":
            return
        turn.wait()

    run.__name__ = run.__qualname__ = listener.__name__
    return run


def _run_here(listener: Callable[..., None], names: list[str], args: Args) -> None:
    """`listener` in this request thread. Its errors go to Bolt and so into the answer,
    which is why only listeners whose ack() is the last thing that can fail run here
    (`later.submit` does not raise)."""
    listener(**_kwargs(names, args))


def _kwargs(names: list[str], args: Args, **given: Any) -> dict[str, Any]:
    """The listener's arguments by name: Bolt's, what middleware put in the context, and
    `given` over both."""
    available = {**args.context, **vars(args), **given}
    return {name: available[name] for name in names}


class _Turn:
    """The hand-over between a request thread and the pool thread running its listener."""

    def __init__(self, ack: Ack):
        self._ack = ack
        self._lock = threading.Lock()
        self._waiting = True
        self._error: Exception | None = None
        self.done = threading.Event()

    def ack(self, *args: Any, **kwargs: Any) -> BoltResponse:
        try:
            return self._ack(*args, **kwargs)
        finally:
            self.done.set()

    def pass_back(self, error: Exception) -> bool:
        """Give an error raised before ack() to the waiting request thread, if it still waits."""
        with self._lock:
            if self._waiting and self._ack.response is None:
                self._error = error
                return True
            return False

    def wait(self) -> None:
        self.done.wait(ACK_WAIT_SECONDS)
        with self._lock:
            self._waiting = False
            error = self._error
        if error is not None:
            raise error


def register(app: App) -> None:
    app.error(handle)
