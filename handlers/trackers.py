"""Connecting a tracker from App Home: the button opens the form, its submission is
checked against the tracker like `/ritual connect` (after the ack: the check may take
seconds) and the form shows what came of it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.forms import read_values
from bot.ids import ActionId, CallbackId
from bot.permissions import check_admin
from bot.trackers import clients, modals
from bot.trackers import render as render_trackers
from bot.trackers import service as trackers
from bot.trackers.mlflow import TrackerError
from bot.trackers.service import require_box
from handlers.errors import after_ack
from handlers.people import People
from storage.db import Database
from storage.secrets import SecretBox


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
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    check_admin(people.actor(client, team_id=team_id, user_id=user_id), verb="connect it")
    connect = modals.read_connect(read_values(view["state"]["values"], modals.FIELDS))
    if connect.token:
        require_box(secrets)
    ack(response_action="update", view=modals.checking(connect))
    try:
        saved = clients.check(connect.kind, connect.url, connect.token, entity=connect.entity)
    except TrackerError as error:
        again = modals.connect_modal(
            kind=connect.kind.value,
            address=connect.url,
            entity=connect.entity,
            problem=error.message,
        )
        client.views_update(view_id=view["id"], view=again)
        return
    with db.transaction() as session:
        trackers.connect(
            session,
            team_id=team_id,
            kind=connect.kind,
            url=saved,
            token=connect.token,
            user_id=user_id,
            box=secrets,
            entity=connect.entity,
        )
    said = render_trackers.connected(
        connect.kind, saved, with_token=bool(connect.token), entity=connect.entity
    )
    client.views_update(view_id=view["id"], view=modals.connected(said))


def register(app: App) -> None:
    app.action(ActionId.TRACKER_CONNECT_OPEN)(after_ack(open_connect))
    app.view(CallbackId.TRACKER_CONNECT)(after_ack(submit_connect))
