"""Decisions on a problem from its card: the decision buttons and the rationale's form."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import triggers
from bot.commands import carried_number
from bot.decisions import service as decisions
from bot.decisions.modals import decision_modal
from bot.forms import channel_of
from bot.forms import read_values as read_fields
from bot.ids import ActionId, CallbackId, DecisionField
from bot.problems import render
from bot.registry.render import ship_rationale
from bot.watch import modals as watch_modals
from handlers.errors import after_ack
from handlers.people import People
from handlers.slack import tell_delivery
from jobs import messages
from jobs.outbox import Sender
from storage.db import Database
from storage.problems import DecisionKind

DECIDE_ACTIONS = {action_id: kind for kind, (action_id, _) in render.DECIDE_BUTTONS.items()}


def open_decision(
    ack: Ack, body: dict[str, Any], client: WebClient, db: Database, people: People
) -> None:
    """A decision button on a problem card: a small form for the rationale, for those who
    may decide; anyone else is told who may, instead of getting a form they cannot submit.
    Ship under a model's promotion in the problem's thread opens the Ship form prefilled."""
    ack()
    action = body["actions"][0]
    if action["action_id"] == ActionId.MODEL_SHIP:
        kind, carried = DecisionKind.SHIP, _carried(action.get("value"))
        number, rationale = carried_number(carried.get("problem")), ship_rationale(carried)
    else:
        kind, rationale = DECIDE_ACTIONS[action["action_id"]], None
        number = carried_number(action.get("value"))
    team_id = body["team"]["id"]
    actor = people.actor(client, team_id=team_id, user_id=body["user"]["id"])
    with db.transaction() as session:
        problem = decisions.decidable(
            session, team_id=team_id, number=number, actor=actor, kind=kind
        )
    channel = (body.get("channel") or {}).get("id") or problem.channel_id
    client.views_open(
        trigger_id=body["trigger_id"],
        view=decision_modal(problem=problem, kind=kind, channel_id=channel, rationale=rationale),
    )


def _carried(value: object) -> dict[str, Any]:
    """The Ship button's JSON value; empty for anything else (a forged value)."""
    try:
        carried = json.loads(str(value))
    except ValueError:
        return {}
    return carried if isinstance(carried, dict) else {}


def submit_decision(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    db: Database,
    people: People,
    sender: Sender,
    trigger: triggers.Trigger,
) -> None:
    metadata = json.loads(view.get("private_metadata") or "{}")
    values = read_fields(view["state"]["values"], {*DecisionField, *watch_modals.PLAN_FIELDS})
    rationale = decisions.check_rationale(
        values.get(DecisionField.RATIONALE), field=DecisionField.RATIONALE
    )
    kind = decisions.kind_of(str(metadata.get("kind")))
    watch = watch_modals.plan_draft(values) if kind is DecisionKind.SHIP else None
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    actor = people.actor(client, team_id=team_id, user_id=user_id)
    with db.transaction() as session:
        triggers.once(session, trigger=trigger)
        result = decisions.decide(
            session,
            team_id=team_id,
            actor=actor,
            number=carried_number(metadata.get("problem")),
            kind=kind,
            rationale=rationale,
            source_key=f"view:{view['id']}",
            watch=watch,
            fields=True,
        )
        channel = channel_of(metadata) or result.problem.channel_id or user_id
        queued = messages.decision(session, result, channel=channel) if result.created else []
    ack()
    tell_delivery(
        sender.send_now(queued, team_id=team_id, person=user_id),
        saved=f"The decision on {result.problem.ref} is recorded",
        what="it in the channel",
        respond=None,
        client=client,
        user_id=user_id,
    )


def register(app: App) -> None:
    for action_id in (*DECIDE_ACTIONS, ActionId.MODEL_SHIP):
        app.action(action_id)(after_ack(open_decision))
    app.view(CallbackId.DECISION_MODAL)(after_ack(submit_decision))
