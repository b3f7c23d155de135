"""Modal stacks and App Home tabs as Slack keeps them per user."""

from __future__ import annotations

import secrets
import time
from typing import Any

from sandbox.api import ApiError
from sandbox.blockkit import check_view
from sandbox.records import View, Workspace
from sandbox.state import World

STACK_LIMIT = 3


def new_hash() -> str:
    """A view hash in Slack's style, such as `1596530361.3wRYuk3R`."""
    return f"{int(time.time())}.{secrets.token_urlsafe(6)[:8]}"


def render(
    *, workspace: Workspace, spec: dict[str, Any], view_id: str, root_id: str
) -> dict[str, Any]:
    """The full view object Slack returns for a view the app sent."""
    return {
        "id": view_id,
        "team_id": workspace.team_id,
        "type": spec["type"],
        "blocks": spec.get("blocks", []),
        "private_metadata": spec.get("private_metadata", ""),
        "callback_id": spec.get("callback_id", ""),
        "state": {"values": {}},
        "hash": new_hash(),
        "title": spec.get("title"),
        "clear_on_close": bool(spec.get("clear_on_close", False)),
        "notify_on_close": bool(spec.get("notify_on_close", False)),
        "close": spec.get("close"),
        "submit": spec.get("submit"),
        "previous_view_id": None,
        "root_view_id": root_id,
        "app_id": workspace.app_id,
        "external_id": spec.get("external_id", ""),
        "app_installed_team_id": workspace.team_id,
        "bot_id": workspace.bot_id,
    }


def open_modal(*, world: World, workspace: Workspace, user_id: str, spec: dict[str, Any]) -> View:
    """Open a modal as the root of a new stack, closing any stack the user had."""
    for view_id in world.stacks.get(user_id, []):
        world.views[view_id].closed = True
    view_id = world.next_id("V")
    shown = render(workspace=workspace, spec=spec, view_id=view_id, root_id=view_id)
    view = View(
        id=view_id, team_id=workspace.team_id, user_id=user_id, view=shown, hash=shown["hash"]
    )
    world.views[view_id] = view
    world.stacks[user_id] = [view_id]
    return view


def push_modal(
    *, world: World, workspace: Workspace, user_id: str, spec: dict[str, Any]
) -> View | None:
    """Push a modal on the user's stack; None when the stack is full."""
    stack = world.stacks.setdefault(user_id, [])
    if len(stack) >= STACK_LIMIT:
        return None
    if not stack:
        return open_modal(world=world, workspace=workspace, user_id=user_id, spec=spec)
    view_id = world.next_id("V")
    root_id = stack[0]
    shown = render(workspace=workspace, spec=spec, view_id=view_id, root_id=root_id)
    shown["previous_view_id"] = stack[-1]
    view = View(
        id=view_id, team_id=workspace.team_id, user_id=user_id, view=shown, hash=shown["hash"]
    )
    world.views[view_id] = view
    stack.append(view_id)
    return view


def replace(*, workspace: Workspace, view: View, spec: dict[str, Any]) -> None:
    """Replace a view's content in place; it keeps its id and place in the stack."""
    shown = render(
        workspace=workspace, spec=spec, view_id=view.id, root_id=view.view["root_view_id"]
    )
    shown["previous_view_id"] = view.view["previous_view_id"]
    view.view, view.hash, view.errors = shown, shown["hash"], None


def close(*, world: World, view: View) -> None:
    """Close one view (and the views pushed above it)."""
    stack = world.stacks.get(view.user_id, [])
    if view.id in stack:
        for view_id in stack[stack.index(view.id) :]:
            world.views[view_id].closed = True
        del stack[stack.index(view.id) :]
    view.closed = True


def clear(*, world: World, user_id: str) -> None:
    """Close the user's whole stack."""
    for view_id in world.stacks.pop(user_id, []):
        world.views[view_id].closed = True


def apply_answer(*, world: World, workspace: Workspace, view: View, status: int, body: Any) -> None:
    """Apply the app's answer to a view_submission as Slack does; HTTP errors leave it open."""
    if status != 200:
        return
    action = body.get("response_action") if isinstance(body, dict) else None
    if action in ("update", "push"):
        try:
            check_view(body.get("view"), kind="modal")
        except ApiError as error:
            view.errors = {"response_action": " ".join([error.error, *error.messages])}
            return
    if action == "errors":
        view.errors = dict(body.get("errors") or {})
    elif action == "update":
        replace(workspace=workspace, view=view, spec=body["view"])
    elif action == "push":
        push_modal(world=world, workspace=workspace, user_id=view.user_id, spec=body["view"])
    elif action == "clear":
        clear(world=world, user_id=view.user_id)
    else:
        close(world=world, view=view)
