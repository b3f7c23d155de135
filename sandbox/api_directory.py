"""auth.*, team.*, users.* and conversations.* methods."""

from __future__ import annotations

from typing import Any

from sandbox.api import ApiError, ApiRequest
from sandbox.records import Channel, Message


def auth_test(req: ApiRequest) -> dict[str, Any]:
    """auth.test: who the token is."""
    ws = req.workspace
    bot = req.world.users[ws.bot_user_id]
    return {
        "ok": True,
        "url": f"{req.base_url}/",
        "team": ws.name,
        "user": bot.name,
        "team_id": ws.team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "is_enterprise_install": False,
    }


def team_info(req: ApiRequest) -> dict[str, Any]:
    """team.info: the workspace's name and domain."""
    ws = req.workspace
    team = {"id": ws.team_id, "name": ws.name, "domain": ws.domain, "email_domain": "", "icon": {}}
    return {"ok": True, "team": team}


def users_info(req: ApiRequest) -> dict[str, Any]:
    """users.info: one member of the workspace."""
    user = req.world.user(
        team_id=req.workspace.team_id, user_id=req.required("user", error="user_not_found")
    )
    if user is None:
        raise ApiError("user_not_found")
    return {"ok": True, "user": user.to_api(base_url=req.base_url)}


def users_list(req: ApiRequest) -> dict[str, Any]:
    """users.list: the workspace's members, bots included, a page at a time."""
    team_id = req.workspace.team_id
    members = [
        u.to_api(base_url=req.base_url) for u in req.world.users.values() if u.team_id == team_id
    ]
    page, metadata = req.page(members)
    return {"ok": True, "members": page, "response_metadata": metadata}


def conversations_open(req: ApiRequest) -> dict[str, Any]:
    """conversations.open: the bot's DM with one user (or an existing channel)."""
    if req.text("channel"):
        return {"ok": True, "channel": {"id": req.channel().id}}
    users = [u for u in req.required("users", error="users_list_not_supplied").split(",") if u]
    if len(users) != 1:
        raise ApiError("not_supported", "[ERROR] the emulator opens DMs with one user only")
    if not req.user_exists(users[0]):
        raise ApiError("user_not_found")
    opened = req.world.channels.get(f"D{users[0][1:]}") is not None
    channel = req.world.dm_channel(team_id=req.workspace.team_id, user_id=users[0])
    answer: dict[str, Any] = {"ok": True, "channel": {"id": channel.id}}
    if opened:
        answer |= {"no_op": True, "already_open": True}
    if req.flag("return_im"):
        answer["channel"] = channel.to_api(bot_user_id=req.workspace.bot_user_id)
    return answer


def conversations_info(req: ApiRequest) -> dict[str, Any]:
    """conversations.info: one channel."""
    channel = req.channel()
    return {"ok": True, "channel": channel.to_api(bot_user_id=req.workspace.bot_user_id)}


def conversations_members(req: ApiRequest) -> dict[str, Any]:
    """conversations.members: a channel's member ids, a page at a time."""
    page, metadata = req.page(list(req.channel().members))
    return {"ok": True, "members": page, "response_metadata": metadata}


def conversations_history(req: ApiRequest) -> dict[str, Any]:
    """conversations.history: top-level messages, newest first, a page at a time."""
    channel = _readable(req)
    history = req.world.history[channel.id]
    oldest, latest = float(req.text("oldest") or 0), float(req.text("latest") or "inf")
    top = [
        m
        for m in reversed(history)
        if (m.thread_ts in (None, m.ts)) and oldest <= float(m.ts) <= latest
    ]
    page, metadata = req.page(top)
    messages = [_with_replies(req, m, history) for m in page]
    return {
        "ok": True,
        "messages": messages,
        "has_more": bool(metadata["next_cursor"]),
        "response_metadata": metadata,
    }


def conversations_replies(req: ApiRequest) -> dict[str, Any]:
    """conversations.replies: a thread's parent then its replies, oldest first."""
    channel = _readable(req)
    ts = req.required("ts", error="thread_not_found")
    history = req.world.history[channel.id]
    parent = req.world.find_message(channel_id=channel.id, ts=ts)
    if parent is None:
        raise ApiError("thread_not_found")
    oldest, latest = float(req.text("oldest") or 0), float(req.text("latest") or "inf")
    replies = (
        m for m in history if m.thread_ts == ts and m.ts != ts and oldest <= float(m.ts) <= latest
    )
    thread = [parent, *replies]
    page, metadata = req.page(thread)
    messages = [_with_replies(req, m, history) for m in page]
    return {
        "ok": True,
        "messages": messages,
        "has_more": bool(metadata["next_cursor"]),
        "response_metadata": metadata,
    }


def _readable(req: ApiRequest) -> Channel:
    """A channel whose history the bot may read."""
    channel = req.channel()
    if req.workspace.bot_user_id not in channel.members:
        raise ApiError("not_in_channel")
    return channel


def _with_replies(req: ApiRequest, message: Message, history: list[Message]) -> dict[str, Any]:
    """A message object, with reply_count when it starts a thread."""
    shown = message.to_api(team_id=req.workspace.team_id)
    if message.metadata and req.flag("include_all_metadata"):
        shown["metadata"] = message.metadata
    replies = [m for m in history if m.thread_ts == message.ts and m.ts != message.ts]
    if replies:
        shown |= {"thread_ts": message.ts, "reply_count": len(replies)}
    return shown
