"""Posting to Slack where a failure must not lose what the user already saved."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.error import URLError

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import context
from bot.text import escape
from jobs.delivery import Sent
from jobs.outbox import Delivery, Sender

log = logging.getLogger(__name__)


def why_slack_failed(error: Exception) -> str:
    """What a person can understand (and do) about a failed Web API call."""
    if isinstance(error, SlackApiError):
        response = error.response
        if response is not None and response.status_code >= 500:
            return "Slack is having trouble right now (it answered with an error page)"
        code = response.get("error", "") if response is not None else ""
        return Sent(error=code or "an error").why
    if isinstance(error, TimeoutError):
        return "Slack did not answer in time"
    if isinstance(error, URLError):
        return "Slack could not be reached"
    return "Slack's answer was lost on the way back (it may have posted it anyway)"


@dataclass(frozen=True)
class Posted:
    """A message's ts, or why it was not posted."""

    ts: str | None
    why: str | None = None
    # Slack never took the message (unreachable, or an error page after the client's
    # retries): posting it again later cannot make a second copy.
    again: bool = False


def post(
    client: WebClient,
    *,
    channel: str,
    text: str,
    blocks: list[dict[str, Any]],
    thread_ts: str | None = None,
) -> Posted:
    """Post a message (in a thread when `thread_ts`), and say what became of it."""
    try:
        answer = client.chat_postMessage(
            channel=channel, text=text, blocks=blocks, thread_ts=thread_ts
        )
    except (SlackApiError, OSError) as error:  # OSError: timeouts, after the client's retries
        log.warning("chat.postMessage to %s failed: %s", channel, _code(error))
        return Posted(ts=None, why=why_slack_failed(error), again=_never_taken(error))
    return Posted(ts=answer["ts"])


def _never_taken(error: Exception) -> bool:
    if isinstance(error, SlackApiError):
        return error.response is not None and error.response.status_code >= 500
    return isinstance(error, URLError)


def tell(
    client: WebClient, *, user_id: str, text: str, blocks: list[dict[str, Any]] | None = None
) -> None:
    """A direct message to a user about their own request, when there is no response_url."""
    post(client, channel=user_id, text=text, blocks=blocks or [])


def whisper(
    client: WebClient,
    *,
    channel: str | None,
    user_id: str,
    text: str,
    blocks: list[dict[str, Any]],
) -> None:
    """A message for one person: ephemeral in the channel they worked in, else a DM. Only
    for notes a person can do without (an ephemeral Slack refuses is sent as a DM)."""
    if channel:
        try:
            client.chat_postEphemeral(channel=channel, user=user_id, text=text, blocks=blocks)
            return
        except (SlackApiError, OSError) as error:
            log.info("chat.postEphemeral in %s failed: %s; sending a DM", channel, _code(error))
    post(client, channel=user_id, text=text, blocks=blocks)


def _code(error: Exception) -> str:
    if isinstance(error, SlackApiError) and error.response is not None:
        return str(error.response.get("error", "error"))
    return type(error).__name__


def tell_delivery(
    delivery: Delivery,
    *,
    saved: str,
    what: str,
    respond: Respond | None,
    client: WebClient,
    user_id: str,
    shown: list[dict[str, Any]] | None = None,
) -> None:
    """Tell the person who acted what became of the message their record caused, if it did
    not go out: in place when the request allows, else by DM; with the message `shown`
    to them, when they should see it anyway."""
    if delivery.refused:
        text = f"{saved}, but I couldn't post {what}: {delivery.refused}."
    elif delivery.waiting:
        text = (
            f"{saved}. I couldn't post {what} yet ({delivery.waiting}); it will follow as "
            "soon as Slack takes it, and I'll tell you if it can't."
        )
    else:
        return
    blocks = [*(shown or []), context(escape(text))] if shown else None
    if respond is not None:
        respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
    else:
        tell(client, user_id=user_id, text=text, blocks=blocks)


class Record(Protocol):
    """What show_change needs of a record: how people name it, and its workspace."""

    @property
    def ref(self) -> str: ...

    @property
    def team_id(self) -> str: ...


def show_change(
    sender: Sender,
    queued: Sequence[int | None],
    record: Record,
    *,
    user_id: str,
    client: WebClient,
    respond: Respond | None = None,
) -> None:
    """Send at once the edits (queued in the change's transaction, None where the record
    has no message) that bring a record's messages in line with it; if Slack refuses them
    or is down, the person who changed it hears so (the sweep retries)."""
    tell_delivery(
        sender.send_now([q for q in queued if q], team_id=record.team_id, person=user_id),
        saved=f"{record.ref} is saved",
        what="the change on its message",
        respond=respond,
        client=client,
        user_id=user_id,
    )
