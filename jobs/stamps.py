"""Each post the outbox sends carries its outbox id in its message metadata: how a message
becomes a Web API call, and how a post whose answer was lost is found again in Slack."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from storage.outbox import OutboxMessage, Relation

STAMP = "ritualbot_outbox"
# Pages of 200 messages read looking for a post whose answer was lost.
FIND_PAGES = 50
log = logging.getLogger(__name__)


def call_for(
    client: WebClient,
    message: OutboxMessage,
    *,
    channel: str,
    ts: str | None,
    link: str | None = None,
    as_person: bool = True,
) -> tuple[str, Callable[..., Any], dict[str, Any]]:
    """The Web API method that sends this message, and its arguments: `link` is the
    permalink its text refers to; without `as_person`, it goes in the bot's own name."""
    if message.relation == Relation.EDIT:
        args = {"channel": channel, "ts": ts, "text": message.text}
        return "chat.update", client.chat_update, args | {"blocks": message.blocks or []}
    if message.file is not None:  # a chart, with `text` as its comment
        args = {"channel": channel, "thread_ts": ts, "initial_comment": message.text}
        upload = {
            "content": message.file,
            "filename": message.filename,
            "title": message.file_title,
            # Read to those who cannot see the chart: its title names what it shows.
            "alt_txt": message.file_title,
        }
        if channel[:1] in "UW":
            # Slack shares an upload only in a conversation: a person's is opened first.
            return "files.upload", _to_person(client), args | upload | {"user": channel}
        return "files.upload", client.files_upload_v2, args | upload
    text = linked(message.text, link) if message.links_after else message.text
    args = {"channel": channel, "thread_ts": ts, "text": text}
    stamp = {"event_type": STAMP, "event_payload": {"outbox_id": message.id}}
    post = args | {"blocks": message.blocks or [], "metadata": stamp}
    if as_person and message.username:
        post |= {"username": message.username, "icon_url": message.icon_url}
    return "chat.postMessage", client.chat_postMessage, post


def _to_person(client: WebClient) -> Callable[..., Any]:
    def upload(*, user: str, **args: Any) -> Any:
        opened = client.conversations_open(users=user)["channel"]["id"]
        return client.files_upload_v2(**(args | {"channel": opened}))

    return upload


LINK = "{link}"
_LINKED = re.compile(r"<\{link\}\|([^>]*)>")


def linked(text: str, link: str | None) -> str:
    """The text with its `<{link}|words>` pointing at `link`; the words alone without one."""
    if link is None:
        return _LINKED.sub(r"\1", text)
    return text.replace(LINK, link)


def find(
    client: WebClient, message: OutboxMessage, *, channel: str, thread_ts: str | None
) -> tuple[str, str] | None:
    """The (channel, ts) of the message stamped with this outbox id, if Slack has it."""
    if channel[:1] in "UW":  # a DM is found in the conversation with that person
        channel = client.conversations_open(users=channel)["channel"]["id"]
    oldest = f"{message.created_at.timestamp() - 60:.6f}"
    cursor = None
    # Every page since it was queued: a standup thread takes 2,000 answers in minutes, and
    # one missed on the first page would be posted twice.
    for _ in range(FIND_PAGES):
        asked = {"channel": channel, "oldest": oldest, "include_all_metadata": True, "limit": 200}
        if cursor:
            asked["cursor"] = cursor
        if thread_ts:
            page = client.conversations_replies(ts=thread_ts, **asked)
        else:
            page = client.conversations_history(**asked)
        for seen in page.get("messages", []):
            payload = (seen.get("metadata") or {}).get("event_payload") or {}
            if payload.get("outbox_id") == message.id:
                return channel, seen["ts"]
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None
    log.warning("outbox %s not found in %s pages; taken as not posted", message.id, FIND_PAGES)
    return None
