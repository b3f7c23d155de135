"""What a person's action names, found in the world: workspace, user, channel, message, view."""

from __future__ import annotations

import copy
from typing import Any

from sandbox.records import Channel, Message, User, View, Workspace
from sandbox.state import World


def workspace(world: World, team_id: str) -> Workspace:
    """A known workspace."""
    found = world.workspaces.get(team_id)
    if found is None:
        raise LookupError(f"no workspace {team_id}: call add_workspace first")
    return found


def people(world: World, *, team_id: str, user_id: str) -> tuple[Workspace, User]:
    """A known workspace and one of its users."""
    known = workspace(world, team_id)
    user = world.user(team_id=team_id, user_id=user_id)
    if user is None:
        raise LookupError(f"no user {user_id} in {team_id}: call add_user first")
    return known, user


def channel(world: World, *, team_id: str, channel_id: str) -> Channel:
    """A known channel of the workspace (a user id means that user's DM)."""
    with world.lock:
        found = world.resolve_channel(team_id=team_id, channel=channel_id)
    if found is None:
        raise LookupError(f"no channel {channel_id!r} in {team_id}")
    return found


def message(world: World, *, channel: Channel, ts: str) -> tuple[Message, bool]:
    """A message of the channel by ts, and whether it is ephemeral."""
    with world.lock:
        found = world.find_message(channel_id=channel.id, ts=ts)
        if found is not None:
            return found, False
        ephemeral = world.find_ephemeral(channel_id=channel.id, ts=ts)
    if ephemeral is None:
        raise LookupError(f"no message {ts} in {channel.id}")
    return ephemeral, True


def view_dict(world: World, view_id: str) -> dict[str, Any]:
    """A copy of a modal or Home view by id."""
    with world.lock:
        if view_id in world.views:
            return copy.deepcopy(world.views[view_id].view)
        home = next((h for h in world.homes.values() if h["id"] == view_id), None)
    if home is None:
        raise LookupError(f"no view {view_id}")
    return copy.deepcopy(home)


def open_view(world: World, *, user_id: str, view_id: str | None) -> View:
    """The modal a user acts on: the one named, or the top of their stack."""
    with world.lock:
        view = world.views.get(view_id) if view_id else world.top_view(user_id)
    if view is None or view.closed:
        raise LookupError(f"no open modal {view_id or ''} for {user_id}")
    return view
