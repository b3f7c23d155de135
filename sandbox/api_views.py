"""views.* methods."""

from __future__ import annotations

import time
from typing import Any

from sandbox import modals
from sandbox.api import ApiError, ApiRequest
from sandbox.blockkit import check_view
from sandbox.records import Trigger, View

TRIGGER_LIFETIME = 3.0


def open_view(req: ApiRequest) -> dict[str, Any]:
    """views.open: open a modal for the user a trigger_id came from."""
    trigger = _exchange_trigger(req)
    spec = req.args.get("view")
    check_view(spec, kind="modal")
    view = modals.open_modal(
        world=req.world, workspace=req.workspace, user_id=trigger.user_id, spec=spec
    )
    return {"ok": True, "view": view.view}


def push_view(req: ApiRequest) -> dict[str, Any]:
    """views.push: push a modal on top of the user's stack."""
    trigger = _exchange_trigger(req)
    spec = req.args.get("view")
    check_view(spec, kind="modal")
    view = modals.push_modal(
        world=req.world, workspace=req.workspace, user_id=trigger.user_id, spec=spec
    )
    if view is None:
        raise ApiError("push_limit_reached")
    return {"ok": True, "view": view.view}


def update_view(req: ApiRequest) -> dict[str, Any]:
    """views.update: replace an open modal found by view_id or external_id."""
    view = _find_open(req)
    spec = req.args.get("view")
    check_view(spec, kind="modal")
    if req.text("hash") and req.text("hash") != view.hash:
        raise ApiError("hash_conflict")
    modals.replace(workspace=req.workspace, view=view, spec=spec)
    return {"ok": True, "view": view.view}


def publish_view(req: ApiRequest) -> dict[str, Any]:
    """views.publish: set a user's App Home tab."""
    user_id = req.required("user_id", error="user_not_found")
    if not req.user_exists(user_id):
        raise ApiError("user_not_found")
    spec = req.args.get("view")
    check_view(spec, kind="home")
    key = (req.workspace.team_id, user_id)
    current = req.world.homes.get(key)
    if current and req.text("hash") and req.text("hash") != current["hash"]:
        raise ApiError("hash_conflict")
    view_id = current["id"] if current else req.world.next_id("V")
    shown = modals.render(workspace=req.workspace, spec=spec, view_id=view_id, root_id=view_id)
    req.world.homes[key] = shown
    return {"ok": True, "view": shown}


def _exchange_trigger(req: ApiRequest) -> Trigger:
    """The live, unused trigger the call names, used up."""
    trigger = req.world.triggers.get(req.required("trigger_id", error="invalid_trigger_id"))
    if trigger is None or trigger.team_id != req.workspace.team_id:
        raise ApiError("invalid_trigger_id")
    if trigger.used:
        raise ApiError("exchanged_trigger_id")
    if time.time() - trigger.issued_at > TRIGGER_LIFETIME:
        raise ApiError("expired_trigger_id")
    trigger.used = True
    return trigger


def _find_open(req: ApiRequest) -> View:
    """The open modal named by view_id or external_id."""
    view_id, external_id = req.text("view_id"), req.text("external_id")
    for view in req.world.views.values():
        named = view.id == view_id or (external_id and view.view["external_id"] == external_id)
        if named and view.team_id == req.workspace.team_id and not view.closed:
            return view
    raise ApiError("not_found")
