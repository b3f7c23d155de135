"""The sandbox page's JSON API: what one person sees in the workspace, and what they do in it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import httpx

from sandbox.api import ApiError
from sandbox.blockkit import check_options
from sandbox.clock import Clock
from sandbox.records import Channel, Delivery, Message, User, View
from sandbox.state import World
from sandbox.surface import AppSurface

if TYPE_CHECKING:
    from sandbox.emulator import SlackEmulator

SLACKBOT = "USLACKBOT"
# "@ada" typed in the composer becomes a mention, as Slack's autocomplete would make it.
MENTION = re.compile(r"(?<![\w<])@([a-z0-9][a-z0-9._-]*)", re.IGNORECASE)
MESSAGE_EVENT = {"channel": "message.channels", "group": "message.groups", "im": "message.im"}


class PageError(Exception):
    """A request the page should not have made; the message says what was wrong."""


class Page:
    """Reads the emulator's world for one person and turns their clicks into Slack requests."""

    def __init__(
        self,
        emulator: SlackEmulator,
        *,
        surface: AppSurface | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.emulator = emulator
        self.surface = surface or AppSurface()
        self.clock = clock or Clock()

    # ---- what the page shows

    def state(self, *, user_id: str, channel_id: str = "", thread_ts: str = "") -> dict[str, Any]:
        """Everything the page draws for `user_id`, looking at one channel and maybe a thread."""
        world = self.emulator.world
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
                "clock": self.clock.describe(),
                "surface": self.surface.to_page(),
            }

    # ---- what the person does

    def act(self, body: dict[str, Any]) -> dict[str, Any]:
        """Do one thing as one person; answer {"ok": ...} and a notice Slack would show."""
        kind = body.get("type")
        if kind == "advance":
            return self.clock.advance()
        user_id = str(body.get("user") or "")
        with self.emulator.world.lock:
            user = self.emulator.world.users.get(user_id)
        if user is None or user.is_bot:
            raise PageError(f"pick who you are: {user_id!r} is not a person in this workspace")
        team_id = user.team_id
        try:
            match kind:
                case "message":
                    return self._message(team_id=team_id, user_id=user_id, body=body)
                case "action":
                    return _answered(self._action(team_id=team_id, user_id=user_id, body=body))
                case "submit":
                    delivery = self.emulator.submit_view(
                        user_id=user_id,
                        view_id=body.get("view_id"),
                        values=body.get("values") or {},
                    )
                    return _answered(delivery)
                case "suggest":
                    return self._suggest(user_id=user_id, body=body)
                case "close":
                    return _answered(
                        self.emulator.close_view(user_id=user_id, view_id=body.get("view_id"))
                    )
                case "home":
                    return _answered(self.emulator.open_home(team_id=team_id, user_id=user_id))
                case "message_shortcut":
                    delivery = self.emulator.message_shortcut(
                        team_id=team_id,
                        user_id=user_id,
                        channel_id=str(body.get("channel")),
                        message_ts=str(body.get("message_ts")),
                        callback_id=str(body.get("callback_id")),
                    )
                    return _answered(delivery)
                case "global_shortcut":
                    delivery = self.emulator.global_shortcut(
                        team_id=team_id, user_id=user_id, callback_id=str(body.get("callback_id"))
                    )
                    return _answered(delivery)
        except LookupError as error:
            raise PageError(str(error).strip("'\"")) from None
        except httpx.HTTPError as error:
            return {"ok": False, "notice": f"ritualbot did not answer ({type(error).__name__})."}
        raise PageError(f"unknown action type {kind!r}")

    def _message(self, *, team_id: str, user_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """A typed line: a slash command when it starts with '/', else a message."""
        text = str(body.get("text") or "").strip()
        channel_id = str(body.get("channel") or "")
        if not text:
            raise PageError("type a message or a /command")
        if text.startswith("/"):
            command, _, rest = text.partition(" ")
            delivery = self.emulator.slash_command(
                team_id=team_id,
                user_id=user_id,
                channel_id=channel_id,
                command=command,
                text=rest.strip(),
            )
            return self._apply_command_answer(
                delivery, team_id=team_id, user_id=user_id, channel_id=channel_id, command=text
            )
        text = self._mentions(text, team_id=team_id)
        thread_ts = body.get("thread_ts") or None
        message = self.emulator.post_as_user(
            team_id=team_id, user_id=user_id, channel=channel_id, text=text, thread_ts=thread_ts
        )
        return self._deliver_message_event(team_id=team_id, message=message)

    def _action(self, *, team_id: str, user_id: str, body: dict[str, Any]) -> Delivery:
        """A click on a button, or a choice in a select, in a message, modal or Home."""
        return self.emulator.click(
            team_id=team_id,
            user_id=user_id,
            action_id=str(body.get("action_id")),
            block_id=body.get("block_id"),
            value=body.get("value"),
            channel_id=body.get("channel"),
            message_ts=body.get("message_ts"),
            view_id=body.get("view_id"),
            selected_option=body.get("selected_option"),
            selected=body.get("selected"),
            state_values=body.get("state_values"),
        )

    def _suggest(self, *, user_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Typing in a type-ahead menu: the options the app gives, as Slack would list them."""
        delivery = self.emulator.suggest(
            user_id=user_id,
            view_id=body.get("view_id"),
            action_id=str(body.get("action_id")),
            value=str(body.get("value") or ""),
            state_values=body.get("state_values"),
        )
        if delivery is None:
            return {"ok": True, "options": []}
        if delivery.status != 200:
            return _answered(delivery)
        try:
            return {"ok": True, **check_options(delivery.body)}
        except ApiError as error:
            why = " ".join([error.error, *error.messages])
            return {"ok": False, "notice": f"ritualbot sent options Slack refused: {why}"}

    def _apply_command_answer(
        self, delivery: Delivery, *, team_id: str, user_id: str, channel_id: str, command: str
    ) -> dict[str, Any]:
        """Show a slash command's immediate answer as Slack does: in the channel or to the user."""
        world = self.emulator.world
        answer = delivery.body
        if delivery.status != 200:
            name = command.split(" ", 1)[0]
            self._slackbot_says(
                channel_id=channel_id,
                user_id=user_id,
                text=f'{name} failed with the error "dispatch_failed" (HTTP {delivery.status})',
            )
            return {"ok": False}
        if isinstance(answer, str) and answer.strip():
            answer = {"text": answer}
        if not isinstance(answer, dict) or not (answer.get("text") or answer.get("blocks")):
            return {"ok": True}
        with world.lock:
            workspace = world.workspaces[team_id]
            channel = world.resolve_channel(team_id=team_id, channel=channel_id)
            if channel is None:
                raise PageError(f"no channel {channel_id!r}")
            message = Message(
                ts=world.next_ts(),
                channel=channel.id,
                user=workspace.bot_user_id,
                text=str(answer.get("text") or ""),
                blocks=answer.get("blocks") or [],
                bot_id=workspace.bot_id,
            )
            if answer.get("response_type") == "in_channel":
                world.history[channel.id].append(
                    Message(ts=world.next_ts(), channel=channel.id, user=user_id, text=command)
                )
                message.ts = world.next_ts()
                world.history[channel.id].append(message)
            else:
                world.ephemerals.setdefault((channel.id, user_id), []).append(message)
        return {"ok": True}

    def _slackbot_says(self, *, channel_id: str, user_id: str, text: str) -> None:
        """An ephemeral line from Slack itself, as when an app fails to answer."""
        world = self.emulator.world
        with world.lock:
            channel_key = world.channel_id_of(channel_id)
            world.ephemerals.setdefault((channel_key, user_id), []).append(
                Message(ts=world.next_ts(), channel=channel_key, user=SLACKBOT, text=text)
            )

    def _deliver_message_event(self, *, team_id: str, message: Message) -> dict[str, Any]:
        """Send the message event when the app subscribes to messages of that kind of channel."""
        world = self.emulator.world
        with world.lock:
            channel = world.channels[message.channel]
            bot = world.workspaces[team_id].bot_user_id
        kind = "im" if channel.im_user else ("group" if channel.is_private else "channel")
        events = self.surface.bot_events
        event: dict[str, Any] = {
            "type": "message",
            "channel": channel.id,
            "channel_type": kind,
            "user": message.user,
            "text": message.text,
            "ts": message.ts,
            "event_ts": message.ts,
        }
        if message.thread_ts:
            event["thread_ts"] = message.thread_ts
        if f"<@{bot}>" in message.text and "app_mention" in events:
            self.emulator.event(team_id=team_id, event={**event, "type": "app_mention"})
        if MESSAGE_EVENT[kind] in events:
            return _answered(self.emulator.event(team_id=team_id, event=event))
        return {"ok": True}

    def _mentions(self, text: str, *, team_id: str) -> str:
        """Turn @name into <@U…> for the workspace's members."""
        with self.emulator.world.lock:
            names = {
                u.name.lower(): u.id
                for u in self.emulator.world.users.values()
                if u.team_id == team_id
            }
        return MENTION.sub(
            lambda m: f"<@{names[m[1].lower()]}>" if m[1].lower() in names else m[0], text
        )


def _answered(delivery: Delivery | None) -> dict[str, Any]:
    """What the page says about the app's HTTP answer."""
    if delivery is None or delivery.status == 200:
        return {"ok": True}
    return {"ok": False, "notice": f"ritualbot answered HTTP {delivery.status}; nothing happened."}


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
