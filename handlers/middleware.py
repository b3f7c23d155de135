"""Bolt middleware that hands listeners what they need as keyword arguments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot.triggers import Trigger


class Provide(Middleware):
    """Put `values` in every request's context, so a listener can ask for `db` by name.

    A Middleware subclass rather than a function: Bolt calls it directly, where it would
    inspect a function's arguments again on every request.
    """

    def __init__(self, **values: Any) -> None:
        self.values = values

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        req.context.update(self.values)
        return next()


class Identify(Middleware):
    """Put the request's `trigger` in the context: what a listener that changes something
    stores with its change, so the same request sent again changes nothing (bot/triggers.py)."""

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        req.context["trigger"] = trigger_of(req.body)
        return next()


def trigger_of(body: dict[str, Any]) -> Trigger | None:
    """The trigger of a slash command, a click or a form submission; None for anything else.

    A click's trigger_id alone is not its key: Slack documents the action's `action_ts` as
    what tells one click from another.
    """
    if "command" in body:
        typed = f"{body['command']} {' '.join((body.get('text') or '').split())[:80]}"
        return Trigger(
            team_id=body.get("team_id") or "",
            user_id=body.get("user_id") or "",
            key=f"command:{body.get('trigger_id')}",
            what=f"`{typed.strip()}`",
        )
    team_id = (body.get("team") or {}).get("id") or ""
    user_id = (body.get("user") or {}).get("id") or ""
    if body.get("type") == "block_actions" and body.get("actions"):
        action = body["actions"][0]
        label = ((action.get("text") or {}).get("text") or "").strip()
        return Trigger(
            team_id=team_id,
            user_id=user_id,
            key=f"action:{body.get('trigger_id')}:{action.get('action_ts')}",
            what=f"your {label} click" if label else "your click",
        )
    if body.get("type") == "view_submission":
        view = body.get("view") or {}
        title = ((view.get("title") or {}).get("text") or "").strip()
        return Trigger(
            team_id=team_id,
            user_id=user_id,
            key=f"view:{view.get('id')}:{view.get('hash') or body.get('trigger_id')}",
            what=f"the {title} form" if title else "your form",
        )
    return None
