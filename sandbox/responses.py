"""Messages the app sends to response_urls, applied as Slack applies them."""

from __future__ import annotations

import time
from typing import Any

from sandbox.api import ApiError
from sandbox.blockkit import check_message
from sandbox.records import Message, Response, ResponseTarget
from sandbox.state import World


def issue(*, world: World, base_url: str, target: ResponseTarget) -> str:
    """A new response_url that posts to the target."""
    response_id = world.next_id("R")
    with world.lock:
        world.targets[response_id] = target
    return f"{base_url}/response/{response_id}"


def receive(*, world: World, url: str, response_id: str, body: dict[str, Any]) -> None:
    """Record and apply one response_url message; raise ApiError when Slack would refuse it."""
    with world.lock:
        world.responses.append(Response(url=url, body=body, at=time.time()))
        target = world.targets.get(response_id)
        if target is None:
            raise ApiError("expired_url")
        original = _original(world, target)
        if body.get("delete_original"):
            if original is not None:
                _remove(world, original)
            return
        text, blocks = str(body.get("text") or ""), body.get("blocks") or []
        check_message(text=text, blocks=blocks)
        if original is not None and body.get("replace_original"):
            original.text, original.blocks, original.edited = text, blocks, True
        elif target.channel_id is not None:
            _post(world, target, body=body, text=text, blocks=blocks)


def _original(world: World, target: ResponseTarget) -> Message | None:
    """The message the response_url came from, in history or among ephemerals."""
    if target.channel_id is None or target.message_ts is None:
        return None
    ts, channel_id = target.message_ts, target.channel_id
    return world.find_message(channel_id=channel_id, ts=ts) or world.find_ephemeral(
        channel_id=channel_id, ts=ts
    )


def _remove(world: World, message: Message) -> None:
    """Delete a message from wherever it is shown."""
    for messages in [world.history.get(message.channel, []), *world.ephemerals.values()]:
        if message in messages:
            messages.remove(message)


def _post(
    world: World, target: ResponseTarget, *, body: dict[str, Any], text: str, blocks: list
) -> None:
    """Post a new message: in the channel when in_channel, else ephemeral to the user."""
    workspace = world.workspaces[target.team_id]
    channel_id = str(target.channel_id)
    message = Message(
        ts=world.next_ts(),
        channel=channel_id,
        user=workspace.bot_user_id,
        text=text,
        blocks=blocks,
        thread_ts=body.get("thread_ts"),
        bot_id=workspace.bot_id,
    )
    if body.get("response_type") == "in_channel":
        world.history.setdefault(channel_id, []).append(message)
    else:
        world.ephemerals.setdefault((channel_id, target.user_id), []).append(message)
