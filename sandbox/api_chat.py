"""chat.* methods."""

from __future__ import annotations

from typing import Any

from sandbox.api import ApiError, ApiRequest
from sandbox.blockkit import check_message
from sandbox.records import Channel, Message


def post_message(req: ApiRequest) -> dict[str, Any]:
    """chat.postMessage: append a bot message to a channel, DM or thread."""
    channel = writable_channel(req)
    message = _bot_message(req, channel=channel)
    req.world.history[channel.id].append(message)
    return {
        "ok": True,
        "channel": channel.id,
        "ts": message.ts,
        "message": message.to_api(team_id=req.workspace.team_id),
    }


def post_ephemeral(req: ApiRequest) -> dict[str, Any]:
    """chat.postEphemeral: a bot message only one channel member sees."""
    channel = writable_channel(req)
    user_id = req.required("user", error="user_not_found")
    if user_id not in channel.members:
        raise ApiError("user_not_in_channel")
    message = _bot_message(req, channel=channel)
    req.world.ephemerals.setdefault((channel.id, user_id), []).append(message)
    return {"ok": True, "message_ts": message.ts}


def update(req: ApiRequest) -> dict[str, Any]:
    """chat.update: edit one of the bot's own messages."""
    channel, message = _own_message(req, refusal="cant_update_message")
    blocks = req.args.get("blocks")
    check_message(text=req.text("text"), blocks=blocks)
    message.text = req.text("text")
    if blocks is not None:
        message.blocks = blocks
    message.edited = True
    return {
        "ok": True,
        "channel": channel.id,
        "ts": message.ts,
        "text": message.text,
        "message": message.to_api(team_id=req.workspace.team_id),
    }


def delete(req: ApiRequest) -> dict[str, Any]:
    """chat.delete: remove one of the bot's own messages."""
    channel, message = _own_message(req, refusal="cant_delete_message")
    req.world.history[channel.id].remove(message)
    return {"ok": True, "channel": channel.id, "ts": message.ts}


def get_permalink(req: ApiRequest) -> dict[str, Any]:
    """chat.getPermalink: a link to a message of the history."""
    channel = req.channel()
    ts = req.required("message_ts", error="message_not_found")
    if req.world.find_message(channel_id=channel.id, ts=ts) is None:
        raise ApiError("message_not_found")
    permalink = f"{req.base_url}/archives/{channel.id}/p{ts.replace('.', '')}"
    return {"ok": True, "channel": channel.id, "permalink": permalink}


def writable_channel(req: ApiRequest, *, key: str = "channel") -> Channel:
    """The channel an argument names to post in, refused as Slack refuses it."""
    channel = req.channel(key)
    if channel.is_archived:
        raise ApiError("is_archived")
    if req.workspace.bot_user_id not in channel.members:
        raise ApiError("not_in_channel")
    return channel


def _bot_message(req: ApiRequest, *, channel: Channel) -> Message:
    """A checked message from the bot, built from the call's text, blocks and thread_ts."""
    blocks = req.args.get("blocks") or []
    check_message(text=req.text("text"), blocks=blocks)
    return Message(
        ts=req.world.next_ts(),
        channel=channel.id,
        user=req.workspace.bot_user_id,
        text=req.text("text"),
        blocks=blocks,
        thread_ts=req.text("thread_ts") or None,
        bot_id=req.workspace.bot_id,
        metadata=req.args.get("metadata") or None,
        **_author(req),
    )


CUSTOMIZE = "chat:write.customize"


def _author(req: ApiRequest) -> dict[str, str | None]:
    """The name and picture a post asks for. Slack honours them only for an app granted
    chat:write.customize, and ignores them otherwise: so does the emulator."""
    if CUSTOMIZE not in req.workspace.scopes:
        return {}
    return {"username": req.text("username") or None, "icon_url": req.text("icon_url") or None}


def _own_message(req: ApiRequest, *, refusal: str) -> tuple[Channel, Message]:
    """The channel and bot message an edit names."""
    channel = req.channel()
    message = req.world.find_message(channel_id=channel.id, ts=req.text("ts"))
    if message is None:
        raise ApiError("message_not_found")
    if message.user != req.workspace.bot_user_id:
        raise ApiError(refusal)
    return channel, message
