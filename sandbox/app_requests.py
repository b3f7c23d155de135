"""What people do in Slack, turned into the signed requests Slack sends to the app."""

from __future__ import annotations

import copy
import json
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sandbox import modals, payloads, responses
from sandbox.blockkit import find_element
from sandbox.delivery import deliver, form_body, payload_body
from sandbox.records import (
    Channel,
    Delivery,
    Message,
    ResponseTarget,
    Trigger,
    User,
    View,
    Workspace,
)
from sandbox.signing import sign
from sandbox.state import World

FORM = "application/x-www-form-urlencoded"
EXTERNAL_MENUS = ("external_select", "multi_external_select")


class AppRequests:
    """The delivering half of the emulator: slash commands, clicks, modals, shortcuts, events."""

    world: World
    signing_secret: str
    app_url: str | None
    base_url: str

    def sign(
        self, body: bytes, *, timestamp: int | None = None, secret: str | None = None
    ) -> dict[str, str]:
        """X-Slack-Request-Timestamp and X-Slack-Signature headers for a body."""
        return sign(
            body=body,
            secret=secret if secret is not None else self.signing_secret,
            timestamp=timestamp if timestamp is not None else int(time.time()),
        )

    def slash_command(
        self,
        *,
        team_id: str,
        user_id: str,
        channel_id: str,
        command: str,
        text: str = "",
        retry_num: int | None = None,
        timestamp: int | None = None,
        secret: str | None = None,
        signed: bool = True,
    ) -> Delivery:
        """A user runs a slash command in a channel."""
        workspace, user = self._people(team_id=team_id, user_id=user_id)
        channel = self._channel(team_id=team_id, channel_id=channel_id)
        trigger_id = self._trigger(team_id=team_id, user_id=user_id)
        response_url = self._response_url(
            ResponseTarget(team_id=team_id, channel_id=channel.id, user_id=user_id)
        )
        fields = payloads.slash_command(
            workspace=workspace,
            user=user,
            channel=channel,
            command=command,
            text=text,
            response_url=response_url,
            trigger_id=trigger_id,
        )
        headers = {} if retry_num is None else {"X-Slack-Retry-Num": str(retry_num)}
        delivery = deliver(
            url=self._app_url(),
            body=form_body(fields),
            content_type=FORM,
            secret=(secret if secret is not None else self.signing_secret) if signed else None,
            timestamp=timestamp,
            headers=headers,
        )
        delivery.trigger_id, delivery.response_url = trigger_id, response_url
        return delivery

    def click(
        self,
        *,
        team_id: str,
        user_id: str,
        action_id: str,
        value: str | None = None,
        block_id: str | None = None,
        channel_id: str | None = None,
        message_ts: str | None = None,
        view_id: str | None = None,
        selected_option: dict | None = None,
        selected: dict[str, Any] | None = None,
        state_values: dict[str, dict[str, dict]] | None = None,
    ) -> Delivery:
        """A user clicks a button (or picks an option) in a message or a view.

        `selected` adds other choices to the action as Slack names them (`selected_user`,
        `selected_date`, `selected_options`...); `state_values` is what the view's inputs hold.
        """
        workspace, user = self._people(team_id=team_id, user_id=user_id)
        trigger_id = self._trigger(team_id=team_id, user_id=user_id)
        payload = payloads.interaction(
            kind="block_actions", workspace=workspace, user=user, trigger_id=trigger_id
        )
        blocks: list[dict[str, Any]] = []
        response_url = None
        if message_ts is not None:
            channel = self._channel(team_id=team_id, channel_id=channel_id or "")
            message, is_ephemeral = self._message(channel=channel, ts=message_ts)
            payload |= payloads.message_container(
                workspace=workspace, channel=channel, message=message, is_ephemeral=is_ephemeral
            )
            response_url = self._response_url(
                ResponseTarget(
                    team_id=team_id, channel_id=channel.id, user_id=user_id, message_ts=message_ts
                )
            )
            payload["response_url"] = response_url
            blocks = message.blocks
        elif channel_id is not None:
            channel = self._channel(team_id=team_id, channel_id=channel_id)
            payload["channel"] = {"id": channel.id, "name": payloads.channel_name(channel)}
        if view_id is not None:
            shown = self._view_dict(view_id)
            payload |= {"container": {"type": "view", "view_id": view_id}, "view": shown}
            blocks = shown.get("blocks", [])
        payload["actions"] = [
            _action(
                blocks=blocks,
                action_id=action_id,
                value=value,
                block_id=block_id,
                selected_option=selected_option,
            )
            | (selected or {})
        ]
        payload["state"] = {"values": state_values or {}}
        if "view" in payload:
            payload["view"]["state"] = {"values": state_values or {}}
        delivery = self._post_payload(payload)
        delivery.trigger_id, delivery.response_url = trigger_id, response_url
        return delivery

    def submit_view(
        self,
        *,
        user_id: str,
        values: dict[str, dict[str, dict]],
        view_id: str | None = None,
        double: bool = False,
    ) -> Delivery:
        """A user submits a modal; the app's answer is applied to the stack as Slack does."""
        view = self._open_view(user_id=user_id, view_id=view_id)
        workspace, user = self._people(team_id=view.team_id, user_id=user_id)
        trigger_id = self._trigger(team_id=view.team_id, user_id=user_id)
        with self.world.lock:
            view.errors = None
            shown = copy.deepcopy(view.view)
        shown["state"] = {"values": values}
        payload = payloads.interaction(
            kind="view_submission", workspace=workspace, user=user, trigger_id=trigger_id
        )
        payload |= {"view": shown, "response_urls": []}
        if double:
            with ThreadPoolExecutor(max_workers=2) as pool:
                deliveries = list(pool.map(lambda _: self._post_payload(payload), range(2)))
        else:
            deliveries = [self._post_payload(payload)]
        for delivery in deliveries:
            delivery.trigger_id = trigger_id
            with self.world.lock:
                modals.apply_answer(
                    world=self.world,
                    workspace=workspace,
                    view=view,
                    status=delivery.status,
                    body=delivery.body,
                )
        first, *others = deliveries
        first.others = others
        return first

    def suggest(
        self,
        *,
        user_id: str,
        action_id: str,
        value: str,
        view_id: str | None = None,
        state_values: dict[str, dict[str, dict]] | None = None,
    ) -> Delivery | None:
        """A user types into an external_select of a modal: Slack asks the app for options
        (block_suggestion). None when Slack would not ask yet: fewer characters typed than the
        menu's min_query_length (3 unless it says). `blockkit.check_options` reads the answer.
        """
        view = self._open_view(user_id=user_id, view_id=view_id)
        workspace, user = self._people(team_id=view.team_id, user_id=user_id)
        with self.world.lock:
            shown = copy.deepcopy(view.view)
        found = find_element(shown.get("blocks", []), action_id)
        if found is None or found[1].get("type") not in EXTERNAL_MENUS:
            raise LookupError(f"no external_select {action_id!r} in view {view.id}")
        block_id, element = found
        if len(value) < element.get("min_query_length", 3):
            return None
        shown["state"] = {"values": state_values or {}}
        payload = payloads.interaction(
            kind="block_suggestion", workspace=workspace, user=user, trigger_id=None
        )
        payload |= {
            "container": {"type": "view", "view_id": view.id},
            "action_id": action_id,
            "block_id": block_id,
            "value": value,
            "view": shown,
        }
        return self._post_payload(payload)

    def close_view(self, *, user_id: str, view_id: str | None = None) -> Delivery | None:
        """A user closes a modal; view_closed is sent only when it asked with notify_on_close."""
        with self.world.lock:
            view = self.world.views.get(view_id) if view_id else self.world.top_view(user_id)
            if view is None or view.closed:
                return None
            modals.close(world=self.world, view=view)
        if not view.view.get("notify_on_close"):
            return None
        workspace, user = self._people(team_id=view.team_id, user_id=user_id)
        payload = payloads.interaction(
            kind="view_closed", workspace=workspace, user=user, trigger_id=None
        )
        payload |= {"view": view.view, "is_cleared": False}
        return self._post_payload(payload)

    def message_shortcut(
        self, *, team_id: str, user_id: str, channel_id: str, message_ts: str, callback_id: str
    ) -> Delivery:
        """A user runs a message shortcut on a message of a channel's history."""
        workspace, user = self._people(team_id=team_id, user_id=user_id)
        channel = self._channel(team_id=team_id, channel_id=channel_id)
        message, _ = self._message(channel=channel, ts=message_ts)
        trigger_id = self._trigger(team_id=team_id, user_id=user_id)
        response_url = self._response_url(
            ResponseTarget(team_id=team_id, channel_id=channel.id, user_id=user_id)
        )
        payload = payloads.interaction(
            kind="message_action", workspace=workspace, user=user, trigger_id=trigger_id
        )
        payload |= {
            "action_ts": payloads.action_ts(),
            "callback_id": callback_id,
            "channel": {"id": channel.id, "name": payloads.channel_name(channel)},
            "message_ts": message.ts,
            "message": message.to_api(team_id=team_id),
            "response_url": response_url,
        }
        delivery = self._post_payload(payload)
        delivery.trigger_id, delivery.response_url = trigger_id, response_url
        return delivery

    def global_shortcut(self, *, team_id: str, user_id: str, callback_id: str) -> Delivery:
        """A user runs a global shortcut."""
        workspace, user = self._people(team_id=team_id, user_id=user_id)
        trigger_id = self._trigger(team_id=team_id, user_id=user_id)
        payload = payloads.interaction(
            kind="shortcut", workspace=workspace, user=user, trigger_id=trigger_id
        )
        payload |= {"action_ts": payloads.action_ts(), "callback_id": callback_id}
        delivery = self._post_payload(payload)
        delivery.trigger_id = trigger_id
        return delivery

    def event(
        self,
        *,
        team_id: str,
        event: dict[str, Any],
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
    ) -> Delivery:
        """An Events API event_callback; retry headers when retry_num is given."""
        workspace = self._workspace(team_id)
        envelope = payloads.event_callback(
            workspace=workspace, event=event, event_id=event_id or self.world.next_id("Ev")
        )
        headers = {}
        if retry_num is not None:
            headers = {
                "X-Slack-Retry-Num": str(retry_num),
                "X-Slack-Retry-Reason": retry_reason or "http_timeout",
            }
        return deliver(
            url=self._app_url(),
            body=json.dumps(envelope).encode(),
            content_type="application/json",
            secret=self.signing_secret,
            headers=headers,
        )

    def open_home(self, *, team_id: str, user_id: str) -> Delivery:
        """A user opens the app's Home tab."""
        self._people(team_id=team_id, user_id=user_id)
        with self.world.lock:
            dm = self.world.dm_channel(team_id=team_id, user_id=user_id)
            home = self.world.homes.get((team_id, user_id))
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": dm.id,
            "tab": "home",
        }
        if home is not None:
            event["view"] = home
        return self.event(team_id=team_id, event=event)

    def post_as_user(
        self, *, team_id: str, user_id: str, channel: str, text: str, thread_ts: str | None = None
    ) -> Message:
        """A person's message in a channel's history (nothing is delivered to the app)."""
        self._people(team_id=team_id, user_id=user_id)
        found = self._channel(team_id=team_id, channel_id=channel)
        with self.world.lock:
            message = Message(
                ts=self.world.next_ts(),
                channel=found.id,
                user=user_id,
                text=text,
                thread_ts=thread_ts,
            )
            self.world.history[found.id].append(message)
        return message

    def _app_url(self) -> str:
        """Where the app listens; required before delivering."""
        if not self.app_url:
            raise RuntimeError("set SlackEmulator.app_url before delivering requests to the app")
        return self.app_url

    def _post_payload(self, payload: dict[str, Any]) -> Delivery:
        """Deliver an interaction payload, signed."""
        return deliver(
            url=self._app_url(),
            body=payload_body(payload),
            content_type=FORM,
            secret=self.signing_secret,
        )

    def _workspace(self, team_id: str) -> Workspace:
        """A known workspace."""
        workspace = self.world.workspaces.get(team_id)
        if workspace is None:
            raise LookupError(f"no workspace {team_id}: call add_workspace first")
        return workspace

    def _people(self, *, team_id: str, user_id: str) -> tuple[Workspace, User]:
        """A known workspace and one of its users."""
        workspace = self._workspace(team_id)
        user = self.world.user(team_id=team_id, user_id=user_id)
        if user is None:
            raise LookupError(f"no user {user_id} in {team_id}: call add_user first")
        return workspace, user

    def _channel(self, *, team_id: str, channel_id: str) -> Channel:
        """A known channel of the workspace (a user id means that user's DM)."""
        with self.world.lock:
            channel = self.world.resolve_channel(team_id=team_id, channel=channel_id)
        if channel is None:
            raise LookupError(f"no channel {channel_id!r} in {team_id}")
        return channel

    def _message(self, *, channel: Channel, ts: str) -> tuple[Message, bool]:
        """A message of the channel by ts, and whether it is ephemeral."""
        with self.world.lock:
            found = self.world.find_message(channel_id=channel.id, ts=ts)
            if found is not None:
                return found, False
            ephemeral = self.world.find_ephemeral(channel_id=channel.id, ts=ts)
        if ephemeral is None:
            raise LookupError(f"no message {ts} in {channel.id}")
        return ephemeral, True

    def _view_dict(self, view_id: str) -> dict[str, Any]:
        """A copy of a modal or Home view by id."""
        with self.world.lock:
            if view_id in self.world.views:
                return copy.deepcopy(self.world.views[view_id].view)
            home = next((h for h in self.world.homes.values() if h["id"] == view_id), None)
        if home is None:
            raise LookupError(f"no view {view_id}")
        return copy.deepcopy(home)

    def _open_view(self, *, user_id: str, view_id: str | None) -> View:
        """The modal a user acts on: the one named, or the top of their stack."""
        with self.world.lock:
            view = self.world.views.get(view_id) if view_id else self.world.top_view(user_id)
        if view is None or view.closed:
            raise LookupError(f"no open modal {view_id or ''} for {user_id}")
        return view

    def _trigger(self, *, team_id: str, user_id: str) -> str:
        """A fresh trigger_id, valid for three seconds."""
        trigger_id = f"{self.world.next_id('')}.{int(time.time())}.{secrets.token_hex(16)}"
        with self.world.lock:
            self.world.triggers[trigger_id] = Trigger(
                team_id=team_id, user_id=user_id, issued_at=time.time()
            )
        return trigger_id

    def _response_url(self, target: ResponseTarget) -> str:
        """A fresh response_url for the target."""
        return responses.issue(world=self.world, base_url=self.base_url, target=target)


def _action(
    *,
    blocks: list[dict[str, Any]],
    action_id: str,
    value: str | None,
    block_id: str | None,
    selected_option: dict | None,
) -> dict[str, Any]:
    """One entry of `actions`, typed from the element the blocks declare when present."""
    found = find_element(blocks, action_id)
    element = found[1] if found else {}
    action: dict[str, Any] = {
        "action_id": action_id,
        "block_id": block_id or (found[0] if found else ""),
        "type": element.get("type") or ("static_select" if selected_option else "button"),
        "action_ts": payloads.action_ts(),
    }
    if "text" in element:
        action["text"] = element["text"]
    if value is not None:
        action["value"] = value
    elif "value" in element:
        action["value"] = element["value"]
    if selected_option is not None:
        action["selected_option"] = selected_option
    return action
