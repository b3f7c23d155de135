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
    client: WebClient, *, channel: str, text: str, blocks: list[dict[str, Any]]
) -> tuple[str | None, str | None]:
    """Post a message; answer (ts, None) or (None, why it could not be posted)."""
    return _send(client.chat_postMessage, channel=channel, text=text, blocks=blocks)


def update(
    client: WebClient, *, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]
) -> tuple[str | None, str | None]:
    """Edit a posted message in place; same answers as `post`."""
    return _send(client.chat_update, channel=channel, ts=ts, text=text, blocks=blocks)


def _send(method: Any, **arguments: Any) -> tuple[str | None, str | None]:
    name, channel = method.__name__, arguments["channel"]
    try:
        answer = method(**arguments)
    except SlackApiError as error:
        code = error.response.get("error", "") if error.response is not None else ""
        log.warning("%s to %s failed: %s", name, channel, code)
        return None, CANNOT_POST.get(code, f"Slack answered '{code or 'an error'}'")
    except OSError as error:  # timeouts and refused connections, after the client's retries
        log.warning("%s to %s failed: %s", name, channel, type(error).__name__)
        return None, "Slack did not answer in time"
    return answer["ts"], None
