"""Raw Slack requests (to forge, truncate or replay them) and what the database holds."""

from __future__ import annotations

import json
import time
import uuid
from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from sandbox import payloads
from sandbox.delivery import form_body, payload_body
from sandbox.signing import sign
from storage.db import Database
from storage.problems import Problem
from tests.conftest import ALICE, BOB, CHANNEL, SIGNING_SECRET, TEAM

FORM = "application/x-www-form-urlencoded"
SLACK_DEADLINE = 3.0


def count(db: Database, team: str | None = None) -> int:
    with db.transaction() as session:
        query = select(func.count()).select_from(Problem)
        if team:
            query = query.where(Problem.team_id == team)
        return session.scalar(query) or 0


def stored(db: Database, team: str = TEAM) -> list[Problem]:
    with db.transaction() as session:
        return list(
            session.scalars(select(Problem).where(Problem.team_id == team).order_by(Problem.number))
        )


def command_body(
    slack: Any,
    *,
    text: str,
    team: str = TEAM,
    user: str = ALICE,
    channel: str = CHANNEL,
    command: str = "/problem",
) -> bytes:
    """A slash command as Slack would send it, with a fresh trigger_id; `channel` may be
    another workspace's, as a forged request would name it."""
    return form_body(
        payloads.slash_command(
            workspace=slack.workspace(team),
            user=slack.world.user(team_id=team, user_id=user),
            channel=slack.world.channels[channel],
            command=command,
            text=text,
            response_url=f"{slack.base_url}/response/none",
            trigger_id=f"{uuid.uuid4().hex}.{int(time.time())}",
        )
    )


def interaction(slack: Any, kind: str, *, team: str = TEAM, user: str = ALICE) -> dict[str, Any]:
    return payloads.interaction(
        kind=kind,
        workspace=slack.workspace(team),
        user=slack.world.user(team_id=team, user_id=user),
        trigger_id=f"{uuid.uuid4().hex}.{int(time.time())}",
    )


def click_payload(slack: Any, *, action_id: str, value: str, team: str = TEAM, user: str = ALICE):
    payload = interaction(slack, "block_actions", team=team, user=user)
    payload["actions"] = [
        {"action_id": action_id, "block_id": "b", "type": "button", "value": value}
    ]
    return payload


def text(value: str) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def choice(value: str) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": {"value": value}}


def form(**overrides: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """A complete, valid problem form; overrides replace single elements."""
    fields: dict[str, dict[str, Any]] = {
        "title": text("Search ranking ignores recency"),
        "statement": text("Analysts cannot find last week's reports."),
        "metric_name": text("nDCG@10"),
        "direction": choice("higher"),
        "baseline": text("0.61"),
        "target": text("0.70"),
        "owner_id": {"type": "users_select", "selected_user": BOB},
        "track": choice("discovery"),
        "review_on": {
            "type": "datepicker",
            "selected_date": (date.today() + timedelta(days=14)).isoformat(),
        },
    }
    fields.update(overrides)
    return {block: {"value": element} for block, element in fields.items()}


def submission_payload(
    slack: Any,
    *,
    values: dict[str, Any],
    metadata: dict[str, Any] | None = None,
    team: str = TEAM,
    user: str = ALICE,
    view_id: str | None = None,
) -> dict[str, Any]:
    """A view_submission of the problem modal, as if the form had been opened and filled."""
    payload = interaction(slack, "view_submission", team=team, user=user)
    payload["view"] = {
        "id": view_id or f"V{uuid.uuid4().hex[:10].upper()}",
        "type": "modal",
        "callback_id": "problem_modal",
        "team_id": team,
        "private_metadata": json.dumps(metadata or {"channel": CHANNEL, "problem": None}),
        "state": {"values": values},
        "hash": "1.abc",
    }
    payload["response_urls"] = []
    return payload


def event_body(slack: Any, event: dict[str, Any], *, team: str = TEAM) -> bytes:
    envelope = payloads.event_callback(
        workspace=slack.workspace(team),
        event=event,
        event_id=f"Ev{uuid.uuid4().hex[:10]}",
        now=slack.world.seconds(),
    )
    return json.dumps(envelope).encode()


def post(
    url: str,
    body: bytes,
    *,
    content_type: str = FORM,
    secret: str | None = SIGNING_SECRET,
    timestamp: int | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = SLACK_DEADLINE,
) -> httpx.Response:
    """POST to the app as Slack does: signed, and giving up after Slack's 3 seconds."""
    sent = {"Content-Type": content_type, **(headers or {})}
    if secret is not None:
        sent |= sign(body=body, secret=secret, timestamp=timestamp or int(time.time()))
    return httpx.post(url, content=body, headers=sent, timeout=timeout)


def post_payload(url: str, payload: dict[str, Any], **kwargs: Any) -> httpx.Response:
    return post(url, payload_body(payload), **kwargs)
