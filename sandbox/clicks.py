"""Clicks on buttons and picks in menus of a message, modal or Home: block_actions."""

from __future__ import annotations

from typing import Any

from sandbox import lookups, payloads
from sandbox.blockkit import find_element
from sandbox.records import Delivery, ResponseTarget
from sandbox.signed_requests import SignedRequests


class Clicks(SignedRequests):
    """A person clicking or picking in what the app drew."""

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
        workspace, user = lookups.people(self.world, team_id=team_id, user_id=user_id)
        trigger_id = self._trigger(team_id=team_id, user_id=user_id)
        payload = payloads.interaction(
            kind="block_actions", workspace=workspace, user=user, trigger_id=trigger_id
        )
        blocks: list[dict[str, Any]] = []
        response_url = None
        if message_ts is not None:
            channel = lookups.channel(self.world, team_id=team_id, channel_id=channel_id or "")
            message, is_ephemeral = lookups.message(self.world, channel=channel, ts=message_ts)
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
            channel = lookups.channel(self.world, team_id=team_id, channel_id=channel_id)
            payload["channel"] = {"id": channel.id, "name": payloads.channel_name(channel)}
        if view_id is not None:
            shown = lookups.view_dict(self.world, view_id)
            payload |= {"container": {"type": "view", "view_id": view_id}, "view": shown}
            blocks = shown.get("blocks", [])
        payload["actions"] = [
            _action(
                blocks=blocks,
                action_id=action_id,
                value=value,
                block_id=block_id,
                selected_option=selected_option,
                now=self.world.seconds(),
            )
            | (selected or {})
        ]
        payload["state"] = {"values": state_values or {}}
        if "view" in payload:
            payload["view"]["state"] = {"values": state_values or {}}
        delivery = self._post_payload(payload)
        delivery.trigger_id, delivery.response_url = trigger_id, response_url
        return delivery


def _action(
    *,
    blocks: list[dict[str, Any]],
    action_id: str,
    value: str | None,
    block_id: str | None,
    selected_option: dict | None,
    now: float,
) -> dict[str, Any]:
    """One entry of `actions`, typed from the element the blocks declare when present."""
    found = find_element(blocks, action_id)
    element = found[1] if found else {}
    action: dict[str, Any] = {
        "action_id": action_id,
        "block_id": block_id or (found[0] if found else ""),
        "type": element.get("type") or ("static_select" if selected_option else "button"),
        "action_ts": payloads.action_ts(now),
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
