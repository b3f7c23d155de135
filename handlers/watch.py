"""A model in production: recording a check (from the owner's prompt or the card), and
the three answers to an alert in the problem's thread, and Retrained on a reminder."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import triggers
from bot.commands import carried_number
from bot.forms import read_values
from bot.ids import ActionId, CallbackId
from bot.watch import checks, modals, render
from bot.watch import service as watching
from handlers.errors import after_ack
from handlers.history import clicked_number
from handlers.people import People
from jobs import messages, watch
from jobs.outbox import Sender
from storage.db import Database
from storage.watch import CheckOutcome


def open_check(
    ack: Ack, body: dict[str, Any], client: WebClient, db: Database, people: People
) -> None:
    """Record a check: the form asking for the production value and any shift."""
    ack()
    with db.reading() as session:
        problem = watching.in_production(
            session, team_id=body["team"]["id"], number=clicked_number(body)
        )
    client.views_open(trigger_id=body["trigger_id"], view=modals.check_modal(problem=problem))


def submit_check(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    db: Database,
    people: People,
    sender: Sender,
) -> None:
    metadata = json.loads(view.get("private_metadata") or "{}")
    value, shifted, note = modals.read_check(
        read_values(view["state"]["values"], modals.CHECK_FIELDS)
    )
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    actor = people.actor(client, team_id=team_id, user_id=user_id)
    with db.transaction() as session:
        checked = checks.record_check(
            session,
            team_id=team_id,
            number=carried_number(metadata.get("problem")),
            actor=actor,
            value=value,
            shifted=shifted,
            note=note,
            source_key=f"view:{view['id']}",
        )
        queued = [watch.alert(session, checked)] if checked.alert and checked.created else []
        if checked.created:
            watch.log_changed(session, team_id=team_id, number=checked.problem.number)
    ack(response_action="update", view=render.recorded(checked))
    sender.send_now(queued, team_id=team_id, person=user_id)


def _answer(body: dict[str, Any], client: WebClient, people: People) -> tuple[str, Any, int]:
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    return team_id, people.actor(client, team_id=team_id, user_id=user_id), clicked_number(body)


def open_problem(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    db: Database,
    people: People,
    sender: Sender,
    trigger: triggers.Trigger,
) -> None:
    """Open a problem: a discovery problem from the alert, linked to the shipped one."""
    ack()
    team_id, actor, check_id = _answer(body, client, people)
    with db.transaction() as session:
        triggers.once(session, trigger=trigger)
        shipped, saved = checks.open_problem(
            session,
            team_id=team_id,
            check_id=check_id,
            actor=actor,
            source_key=f"watch-alert:{check_id}",
        )
        channel = saved.problem.channel_id or actor.user_id
        queued = [messages.card(session, saved.problem, channel=channel)] if saved.created else []
        watch.log_changed(session, team_id=team_id, number=shipped.number)
    respond(
        text=f"{saved.problem.ref} opened from the watch alert on {shipped.ref}",
        blocks=render.answered(
            shipped, outcome=CheckOutcome.REOPENED, by=actor.user_id, opened=saved.problem.ref
        ),
        replace_original=True,
    )
    sender.send_now(queued, team_id=team_id, person=actor.user_id)


def retrain(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    db: Database,
    people: People,
    trigger: triggers.Trigger,
) -> None:
    """Retrain on an alert, or Retrained on a reminder: a retrain on the record, the
    cadence counting from now."""
    ack()
    team_id, actor, clicked = _answer(body, client, people)
    on_alert = body["actions"][0]["action_id"] == ActionId.WATCH_RETRAIN
    with db.transaction() as session:
        triggers.once(session, trigger=trigger)
        log = checks.retrain(
            session,
            team_id=team_id,
            check_id=clicked if on_alert else None,
            number=0 if on_alert else clicked,
            actor=actor,
        )
        watch.log_changed(session, team_id=team_id, number=log.problem.number)
    shown = (
        render.answered(log.problem, outcome=CheckOutcome.RETRAINED, by=actor.user_id)
        if on_alert
        else render.retrained(log)
    )
    respond(text=f"Retrain of {log.problem.ref} recorded", blocks=shown, replace_original=True)


def keep_watching(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    db: Database,
    people: People,
    trigger: triggers.Trigger,
) -> None:
    ack()
    team_id, actor, check_id = _answer(body, client, people)
    with db.transaction() as session:
        triggers.once(session, trigger=trigger)
        problem = checks.keep_watching(session, team_id=team_id, check_id=check_id, actor=actor)
        watch.log_changed(session, team_id=team_id, number=problem.number)
    respond(
        text=f"Still watching {problem.ref}",
        blocks=render.answered(problem, outcome=CheckOutcome.KEPT, by=actor.user_id),
        replace_original=True,
    )


def register(app: App) -> None:
    app.action(ActionId.WATCH_CHECK_OPEN)(after_ack(open_check))
    app.view(CallbackId.WATCH_CHECK)(after_ack(submit_check))
    app.action(ActionId.WATCH_OPEN_PROBLEM)(after_ack(open_problem))
    app.action(ActionId.WATCH_RETRAIN)(after_ack(retrain))
    app.action(ActionId.WATCH_RETRAINED)(after_ack(retrain))
    app.action(ActionId.WATCH_KEEP)(after_ack(keep_watching))
