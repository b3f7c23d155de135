"""Posting to Slack where a failure must not lose what the user already saved."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

CANNOT_POST = {
    "not_in_channel": "I'm not a member of this channel: invite me with `/invite @ritualbot`",
    "channel_not_found": "I can't see this channel (private channels need `/invite @ritualbot`)",
    "is_archived": "this channel is archived",
    "channel_is_archived": "this channel is archived",
}


def post(
    client: WebClient,
    *,
    channel: str,
    text: str,
    blocks: list[dict[str, Any]],
    thread_ts: str | None = None,
) -> tuple[str | None, str | None]:
    """Post a message (in a thread when `thread_ts`); answer (ts, None) or (None, why not)."""
    try:
        answer = client.chat_postMessage(
            channel=channel, text=text, blocks=blocks, thread_ts=thread_ts
        )
    except SlackApiError as error:
        code = error.response.get("error", "") if error.response is not None else ""
        log.warning("chat.postMessage to %s failed: %s", channel, code)
        return None, CANNOT_POST.get(code, f"Slack answered '{code or 'an error'}'")
    except OSError as error:  # timeouts and refused connections, after the client's retries
        log.warning("chat.postMessage to %s failed: %s", channel, type(error).__name__)
        return None, "Slack did not answer in time"
    return answer["ts"], None


def update(
    client: WebClient, *, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]
) -> bool:
    """Edit a message the bot posted; a refusal is logged, the stored record stays as saved."""
    try:
        client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    except (SlackApiError, OSError) as error:
        log.warning("chat.update of %s/%s failed: %s", channel, ts, _code(error))
        return False
    return True


def permalink(client: WebClient, *, channel: str, ts: str) -> str | None:
    """A link to a message, or None when Slack cannot give one (the record is kept without it)."""
    try:
        return client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
    except (SlackApiError, OSError) as error:
        log.warning("chat.getPermalink of %s/%s failed: %s", channel, ts, _code(error))
        return None


def tell(
    client: WebClient, *, user_id: str, text: str, blocks: list[dict[str, Any]] | None = None
) -> None:
    """A direct message to a user about their own request, when there is no response_url."""
    post(client, channel=user_id, text=text, blocks=blocks or [])


def _code(error: Exception) -> str:
    if isinstance(error, SlackApiError) and error.response is not None:
        return str(error.response.get("error", "error"))
    return type(error).__name__
