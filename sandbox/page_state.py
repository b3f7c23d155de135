"""What the sandbox page draws for one person: channels, messages, a thread, a modal, Home."""

from __future__ import annotations

from typing import Any

from sandbox.clock import Clock
from sandbox.records import Channel, Message, User, View
from sandbox.state import World
from sandbox.surface import AppSurface

SLACKBOT = "USLACKBOT"


def draw(
    world: World,
    *,
    user_id: str,
    channel_id: str,
    thread_ts: str,
    clock: Clock,
    surface: AppSurface,
) -> dict[str, Any]:
    """Everything the page draws for `user_id`, looking at one channel and maybe a thread."""
    with world.lock:
        me = world.users.get(user_id) or _first_person(world)
        if me is None:
            return {"ready": False}
        workspace = world.workspaces[me.team_id]
        world.dm_channel(team_id=me.team_id, user_id=me.id)
        channels = [c for c in world.channels.values() if _visible(c, me.id, me.team_id)]
        channels.sort(key=lambda c: (c.im_user is not None, c.name))
        current = next((c for c in channels if c.id == channel_id), None) or max(
            channels, key=lambda c: _last_activity(world.history.get(c.id, []), c)
        )
        history = world.history.get(current.id, [])
        shown = [_message(m, ephemeral=False, history=history) for m in history if _top(m)]
        shown += [
            _message(m, ephemeral=True, history=[])
            for m in world.ephemerals.get((current.id, me.id), [])
        ]
        shown.sort(key=lambda m: float(m["ts"]))
        thread = [
            _message(m, ephemeral=False, history=[])
            for m in history
            if thread_ts and thread_ts in (m.ts, m.thread_ts)
        ]
        view = world.top_view(me.id)
        return {
            "ready": True,
            "team": {"id": workspace.team_id, "name": workspace.name},
            "bot_user_id": workspace.bot_user_id,
            "me": me.id,
            "users": [_person(u) for u in world.users.values() if u.team_id == me.team_id]
            + [{"id": SLACKBOT, "name": "Slackbot", "real_name": "Slackbot", "is_bot": True}],
            "channels": [_channel(c, bot=workspace.bot_user_id) for c in channels],
            "channel": current.id,
            "messages": shown,
            "thread": thread,
            "modal": _modal(view, depth=len(world.stacks.get(me.id, []))),
            "home": world.homes.get((me.team_id, me.id)),
            "clock": clock.describe(),
            "surface": surface.to_page(),
        }


def _first_person(world: World) -> User | None:
    """Who the page acts as when it has not said."""
    return next((u for u in world.users.values() if not u.is_bot and not u.deleted), None)


def _last_activity(history: list[Message], channel: Channel) -> tuple[bool, float]:
    """What to open first: the busiest-lately channel, never the app's DM."""
    return channel.im_user is None, max((float(m.ts) for m in history), default=0.0)


def _visible(channel: Channel, user_id: str, team_id: str) -> bool:
    """Channels the person is in, and their DM with the app."""
    if channel.team_id != team_id or channel.is_archived:
        return False
    return channel.im_user == user_id if channel.im_user else user_id in channel.members


def _top(message: Message) -> bool:
    """A message shown in the channel rather than only in its thread."""
    return message.thread_ts is None or message.thread_ts == message.ts


def _message(message: Message, *, ephemeral: bool, history: list[Message]) -> dict[str, Any]:
    replies = [m for m in history if m.thread_ts == message.ts and m.ts != message.ts]
    return {
        "ts": message.ts,
        "channel": message.channel,
        "user": message.user,
        "text": message.text,
        "blocks": message.blocks,
        "files": message.files,
        "thread_ts": message.thread_ts,
        "edited": message.edited,
        "bot": message.bot_id is not None,
        "username": message.username,
        "icon_url": message.icon_url,
        "ephemeral": ephemeral,
        "reply_count": len(replies),
    }


def _person(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.name,
        "real_name": user.real_name,
        "tz": user.tz,
        "tz_label": user.tz_label,
        "is_bot": user.is_bot,
    }


def _channel(channel: Channel, *, bot: str) -> dict[str, Any]:
    kind = "im" if channel.im_user else ("private" if channel.is_private else "channel")
    return {
        "id": channel.id,
        "name": channel.name,
        "kind": kind,
        "bot_is_member": bot in channel.members,
    }


def _modal(view: View | None, *, depth: int) -> dict[str, Any] | None:
    if view is None or view.closed:
        return None
    return {
        "id": view.id,
        "hash": view.hash,
        "view": view.view,
        "errors": view.errors or {},
        "depth": depth,
    }
