"""Request payloads shaped exactly like the ones Slack sends to an app."""

from __future__ import annotations

from typing import Any

from sandbox.records import Channel, Message, User, Workspace

VERIFICATION_TOKEN = "emulator-verification-token"


def action_ts(now: float) -> str:
    """A `1596530385.194939`-style timestamp for `now` (seconds since the epoch)."""
    return f"{now:.6f}"


def channel_name(channel: Channel) -> str:
    """The channel_name Slack sends: the name, or `directmessage` for a DM."""
    return "directmessage" if channel.im_user else channel.name


def slash_command(
    *,
    workspace: Workspace,
    user: User,
    channel: Channel,
    command: str,
    text: str,
    response_url: str,
    trigger_id: str,
) -> dict[str, str]:
    """The form fields of a slash command."""
    return {
        "token": VERIFICATION_TOKEN,
        "command": command,
        "text": text,
        "user_id": user.id,
        "user_name": user.name,
        "channel_id": channel.id,
        "channel_name": channel_name(channel),
        "team_id": workspace.team_id,
        "team_domain": workspace.domain,
        "api_app_id": workspace.app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def interaction(
    *, kind: str, workspace: Workspace, user: User, trigger_id: str | None
) -> dict[str, Any]:
    """The fields every interaction payload starts with."""
    payload: dict[str, Any] = {
        "type": kind,
        "token": VERIFICATION_TOKEN,
        "team": workspace.team_ref(),
        "user": user.user_ref(),
        "api_app_id": workspace.app_id,
        "enterprise": None,
        "is_enterprise_install": False,
    }
    if trigger_id:
        payload["trigger_id"] = trigger_id
    return payload


def message_container(
    *, workspace: Workspace, channel: Channel, message: Message, is_ephemeral: bool
) -> dict[str, Any]:
    """The container, channel and message fields of an action on a message."""
    return {
        "container": {
            "type": "message",
            "message_ts": message.ts,
            "channel_id": channel.id,
            "is_ephemeral": is_ephemeral,
        },
        "channel": {"id": channel.id, "name": channel_name(channel)},
        "message": message.to_api(team_id=workspace.team_id),
    }


def event_callback(
    *, workspace: Workspace, event: dict[str, Any], event_id: str, now: float
) -> dict[str, Any]:
    """The Events API envelope around one event, sent at `now` (seconds since the epoch)."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": workspace.team_id,
        "api_app_id": workspace.app_id,
        "event": {"event_ts": f"{now:.6f}", **event},
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(now),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": workspace.team_id,
                "user_id": workspace.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }
