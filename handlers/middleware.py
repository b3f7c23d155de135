"""Bolt middleware that hands listeners what they need as keyword arguments."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot.text import cleaned
from bot.triggers import Trigger

log = logging.getLogger(__name__)
SLACK_HOOKS = "https://hooks.slack.com"


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


class SlackResponseUrls(Middleware):
    """Refuse a request whose response_url is not Slack's, so that `respond`, and the error
    handler's answers through it, can only ever post to Slack (or to the Web API's own host,
    for the emulator).

    Verified requests come from Slack, so this is defense in depth: a leaked signing secret
    must not turn the bot into a client for any URL an attacker picks.
    """

    def __init__(self, *, api_url: str) -> None:
        self.origins = {_origin(SLACK_HOOKS), _origin(api_url)}

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        foreign = [url for url in _response_urls(req.body) if _origin(url) not in self.origins]
        if foreign:
            log.warning("refused a request whose response_url is not Slack's")
            return BoltResponse(
                status=400,
                body=json.dumps({"error": "response_url is not Slack's"}),
                headers={"content-type": "application/json"},
            )
        return next()


def _response_urls(body: dict[str, Any]) -> list[Any]:
    listed = body.get("response_urls")
    urls = [body.get("response_url")]
    if isinstance(listed, list):
        urls += [entry.get("response_url") for entry in listed if isinstance(entry, dict)]
    return [url for url in urls if url is not None]


def _origin(url: Any) -> tuple[str, str] | None:
    """Scheme and host:port of a URL; None for anything that is not one."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url)
        return parts.scheme.lower(), f"{(parts.hostname or '').lower()}:{parts.port or ''}"
    except ValueError:
        return None


class OneWorkspace(Middleware):
    """Ignore, with a log line, an interaction that names no workspace.

    An org-wide install (Enterprise Grid) sends `team: null` with an `enterprise`; ritualbot
    keeps each workspace's records apart and is installed per workspace, so such a request
    has no records to act on. Slash commands always name their workspace.
    """

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        body = req.body
        if "type" in body and "command" not in body and not _names_workspace(body):
            log.warning(
                "ignored a %s request that names no workspace (org-wide install?)",
                str(body.get("type"))[:40],
            )
            return BoltResponse(status=200, body="")
        return next()


def _names_workspace(body: dict[str, Any]) -> bool:
    if body.get("type") == "event_callback":
        return isinstance(body.get("team_id"), str)
    if body.get("type") == "url_verification":
        return True
    team = body.get("team")
    return isinstance(team, dict) and isinstance(team.get("id"), str)


class Clean(Middleware):
    """Clean every string in the request (`bot.text.clean`) before any listener reads it.

    Here rather than in each form's checks: text arrives in commands, forms, buttons,
    messages and shortcuts, and a listener that forgot would store a NUL that SQLite keeps
    and PostgreSQL refuses. The ids in the request are ASCII, which cleaning leaves alone.
    """

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        req.body = cleaned(req.body)
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
    """The trigger of a slash command, a click, a form submission or an event; None for
    anything else.

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
    if body.get("type") == "event_callback":
        return _event_trigger(body)
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


def _event_trigger(body: dict[str, Any]) -> Trigger:
    """An event's trigger. A message is known by its channel and ts, the same in every
    delivery of it (Slack's retries, or a second event naming the same message); any other
    event by its event_id."""
    event = body.get("event") or {}
    if event.get("type") == "message" and event.get("ts"):
        key = f"message:{event.get('channel')}:{event['ts']}"
    else:
        key = f"event:{body.get('event_id')}"
    return Trigger(
        team_id=body.get("team_id") or "",
        user_id=event.get("user") or "",
        key=key,
        what="your message",
    )
