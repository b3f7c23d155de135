"""Trackers from Slack's surfaces: connecting one from App Home (the button opens the form;
its submission is checked against the tracker like `/ritual connect`, after the ack since
the check may take seconds, and the form shows what came of it); and, on an experiment's
card, picking which of its run's metrics is the problem's."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.commands import carried_number
from bot.forms import read_values
from bot.ids import ActionId, CallbackId
from bot.permissions import check_admin
from bot.problems import render as render_problems
from bot.trackers import clients, modals
from bot.trackers import render as render_trackers
from bot.trackers import runs as run_values
from bot.trackers import service as trackers
from bot.trackers.mlflow import TrackerError
from bot.trackers.service import require_box
from handlers.errors import after_ack
from handlers.experiment_form import read_run
from handlers.follow_ups import FollowUps
from handlers.people import People
from jobs import messages
from jobs.outbox import Sender
from storage.db import Database
from storage.secrets import SecretBox

# Seconds a submission waits for the tracker before answering "Checking…": Slack waits 3.
QUICK = 2.0


def open_connect(ack: Ack, body: dict[str, Any], client: WebClient, people: People) -> None:
    ack()
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    admin = people.actor(client, team_id=team_id, user_id=user_id).is_admin
    view = modals.connect_modal() if admin else modals.not_admin()
    client.views_open(trigger_id=body["trigger_id"], view=view)


def submit_connect(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    db: Database,
    people: People,
    secrets: SecretBox | None,
) -> None:
    """The form's connection checked against the tracker, then saved. A tracker that answers
    at once is answered in the submission's own response; a slow one gets "Checking…" there
    and the result by views.update, seconds later (never racing the response)."""
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    check_admin(people.actor(client, team_id=team_id, user_id=user_id), verb="connect it")
    connect = modals.read_connect(read_values(view["state"]["values"], modals.FIELDS))
    if connect.token:
        require_box(secrets)
    slow = False
    with ThreadPoolExecutor(1, thread_name_prefix="tracker-check") as pool:
        checking = pool.submit(
            clients.check, connect.kind, connect.url, connect.token, entity=connect.entity
        )
        try:
            checking.exception(timeout=QUICK)
        except FutureTimeout:
            slow = True
            ack(response_action="update", view=modals.checking(connect))
    try:
        saved = checking.result()
    except TrackerError as error:
        shown = modals.connect_modal(
            kind=connect.kind.value, address=connect.url, entity=connect.entity,
            problem=error.message,
        )  # fmt: skip
    else:
        with db.transaction() as session:
            trackers.connect(
                session, team_id=team_id, kind=connect.kind, url=saved, token=connect.token,
                user_id=user_id, box=secrets, entity=connect.entity,
            )  # fmt: skip
        said = render_trackers.connected(
            connect.kind, saved, with_token=bool(connect.token), entity=connect.entity
        )
        shown = modals.connected(said)
    if slow:
        client.views_update(view_id=view["id"], view=shown)
    else:
        ack(response_action="update", view=shown)


def pick_metric_key(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    db: Database,
    people: People,
    sender: Sender,
    follow_ups: FollowUps,
    secrets: SecretBox | None,
) -> None:
    """A metric key picked on an experiment's card: the problem's mapping set (by who may
    change the problem), and the run read again."""
    ack()
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    number, _, index = body["actions"][0]["selected_option"]["value"].partition(":")
    actor = people.actor(client, team_id=team_id, user_id=user_id)
    with db.transaction() as session:
        logged, key = run_values.pick_key(
            session, team_id=team_id, number=carried_number(number), index=index, actor=actor
        )
        redrawn = messages.confirmation_update(session, logged)
    sender.send([redrawn] if redrawn else [])
    respond(
        text=render_problems.metric_key_set(logged.problem.number, key),
        response_type="ephemeral",
        replace_original=False,
    )
    follow_ups.submit(
        read_run, db=db, sender=sender, logged=logged, secrets=secrets, respond=respond
    )


def register(app: App) -> None:
    app.action(ActionId.TRACKER_CONNECT_OPEN)(after_ack(open_connect))
    app.view(CallbackId.TRACKER_CONNECT)(after_ack(submit_connect))
    app.action(ActionId.RUN_METRIC_KEY)(after_ack(pick_metric_key))
