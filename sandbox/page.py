"""The sandbox page's JSON API: what one person does in the workspace, and what they see."""

from __future__ import annotations

import re
from typing import Any

import httpx

from sandbox import page_state
from sandbox.api import ApiError
from sandbox.app_requests import AppRequests
from sandbox.blockkit import check_options
from sandbox.clock import Clock
from sandbox.fonts import INSTALL, EmojiFont
from sandbox.page_state import SLACKBOT
from sandbox.records import Delivery, Message
from sandbox.surface import AppSurface

# "@ada" typed in the composer becomes a mention, as Slack's autocomplete would make it.
MENTION = re.compile(r"(?<![\w<])@([a-z0-9][a-z0-9._-]*)", re.IGNORECASE)
MESSAGE_EVENT = {"channel": "message.channels", "group": "message.groups", "im": "message.im"}


class PageError(Exception):
    """A request the page should not have made; the message says what was wrong."""


class Page:
    """Reads the emulator's world for one person and turns their clicks into Slack requests."""

    def __init__(
        self,
        emulator: AppRequests,
        *,
        surface: AppSurface | None = None,
        clock: Clock | None = None,
        emoji_font: EmojiFont | None = None,
    ) -> None:
        """`emoji_font`: the installed font the page draws emoji with (sandbox.fonts finds
        it); without one the page says how to install one."""
        self.emulator = emulator
        self.surface = surface or AppSurface()
        self.clock = clock or Clock()
        self.emoji_font = emoji_font

    def state(self, *, user_id: str, channel_id: str = "", thread_ts: str = "") -> dict[str, Any]:
        """Everything the page draws for `user_id`, looking at one channel and maybe a thread."""
        return page_state.draw(
            self.emulator.world,
            user_id=user_id,
            channel_id=channel_id,
            thread_ts=thread_ts,
            clock=self.clock,
            surface=self.surface,
        ) | {
            "emoji": {
                "font": self.emoji_font.family if self.emoji_font else None,
                "install": INSTALL,
            }
        }

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
