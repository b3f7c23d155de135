"""The experiment form: opened new, for an edit, or holding a one-liner to change; saved,
and its confirmation sent."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import triggers
from bot.experiments import changes, choices, drafts, plausible, render
from bot.experiments import service as experiments
from bot.experiments.modals import experiment_modal
from bot.forms import MessageRef, channel_of, read_values
from bot.ids import ActionId, CallbackId, ExperimentField
from bot.text import escape
from bot.trackers import runs as run_values
from handlers import history as records
from handlers.errors import after_ack
from handlers.follow_ups import FollowUps
from handlers.people import People
from handlers.slack import show_change, tell_delivery
from jobs import messages
from jobs.delivery import permalink
from jobs.outbox import Sender
from jobs.run_values import fetch
from storage.db import Database
from storage.secrets import SecretBox
from storage.trackers import FetchState


def open_experiment_form(
    *,
    client: WebClient,
    db: Database,
    trigger_id: str,
    team_id: str,
    channel_id: str | None,
    prefill: Mapping[str, str | None] | None = None,
    source: MessageRef | None = None,
) -> None:
    """Open the experiment form, prefilled by field name (for commands, buttons, shortcuts)."""
    with db.reading() as session:
        choice = choices.problem_choice(
            session, team_id=team_id, named=(prefill or {}).get(ExperimentField.PROBLEM)
        )
    client.views_open(
        trigger_id=trigger_id,
        view=experiment_modal(choice=choice, channel_id=channel_id, prefill=prefill, source=source),
    )


def announce(
    sender: Sender,
    *,
    logged: experiments.Logged,
    queued: int,
    respond: Respond | None,
    client: WebClient,
) -> None:
    """Send the new experiment's confirmation (its analyses go in its thread); if Slack
    refuses it, or is down, its author still sees the experiment, and hears why."""
    e = logged.experiment
    tell_delivery(
        sender.send_now([queued], team_id=e.team_id, person=e.author_id),
        saved=f"{e.ref} is saved",
        what="it here" if respond is not None else "it in the channel",
        respond=respond,
        client=client,
        user_id=e.author_id,
        shown=render.confirmation(logged),
    )


def read_run(
    db: Database,
    sender: Sender,
    *,
    logged: experiments.Logged,
    secrets: SecretBox | None,
    respond: Respond | None,
) -> None:
    """After the ack, as a follow-up (handlers.follow_ups: once no request waits for its
    ack, so a slow tracker never holds the listeners' threads; one left out is read by the
    clock's sweep, due at once): the new experiment's value read from its run and its
    confirmation redrawn; what went wrong said in place (`respond`), else by DM through the outbox."""
    e = logged.experiment
    if e.run_value is None or e.run_value.state != FetchState.FETCHING:
        return
    with db.reading() as session:
        fetch_id = run_values.fetch_of(session, team_id=e.team_id, number=e.number)
    if fetch_id is None:
        return
    fetched = fetch(db, fetch_id=fetch_id, box=secrets, notify=respond is None)
    sender.send(fetched.queued)
    if fetched.problem and respond is not None:
        later = "" if fetched.told else " I'll try again and fill it in when it answers."
        respond(
            text=f"{e.ref} is saved, but its value is not filled in yet: "
            f"{escape(fetched.problem)}{later}",
            response_type="ephemeral",
            replace_original=False,
        )


def open_new(ack: Ack, body: dict[str, Any], client: WebClient, db: Database) -> None:
    """The "Log an experiment" button on App Home."""
    ack()
    open_experiment_form(
        client=client,
        db=db,
        trigger_id=body["trigger_id"],
        team_id=body["team"]["id"],
        channel_id=None,
    )


def open_edit(
    ack: Ack, body: dict[str, Any], client: WebClient, db: Database, people: People
) -> None:
    """The Edit button on an experiment's details."""
    ack()
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    actor = people.actor(client, team_id=team_id, user_id=user_id)
    with db.transaction() as session:
        logged = changes.may_change(
            session, team_id=team_id, number=records.clicked_number(body), actor=actor
        )
    client.views_open(
        trigger_id=body["trigger_id"],
        view=experiment_modal(channel_id=None, experiment=logged.experiment),
    )


def submit_experiment(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    db: Database,
    people: People,
    sender: Sender,
    trigger: triggers.Trigger,
    secrets: SecretBox | None,
    follow_ups: FollowUps,
) -> None:
    """Save the form; field errors go back inline through the global error handler."""
    metadata = json.loads(view.get("private_metadata") or "{}")
    draft = drafts.ExperimentDraft(**read_values(view["state"]["values"], set(ExperimentField)))
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    confirmed = plausible.confirmed_in(metadata, draft.value)
    try:
        if metadata.get("experiment"):
            actor = people.actor(client, team_id=team_id, user_id=user_id)
            with db.transaction() as session:
                triggers.once(session, trigger=trigger)
                changed = changes.update(
                    session,
                    team_id=team_id,
                    number=metadata["experiment"],
                    draft=draft,
                    actor=actor,
                    confirmed=confirmed,
                )
                queued = messages.corrections(session, changed)
            ack()
            show_change(sender, queued, changed.logged.experiment, client=client, user_id=user_id)
            return
        with db.transaction() as session:
            logged = experiments.create(
                session,
                team_id=team_id,
                user_id=user_id,
                channel_id=channel_of(metadata),
                draft=draft,
                source_key=f"view:{view['id']}",
                modal=True,
                confirmed=confirmed,
            )
            channel = channel_of(metadata) or logged.problem.channel_id or user_id
            confirmation = logged.created and messages.confirmation(
                session, logged, channel=channel
            )
    except plausible.Unusual as unusual:
        asked = plausible.asked_view(view, unusual, typed=(draft.value or "").strip())
        ack(response_action="update", view=asked)
        return
    ack()
    if not confirmation:
        return
    source = MessageRef.load(metadata.get("source"))
    link = source and permalink(client, channel=source.channel, ts=source.ts)
    if link:
        logged = replace(logged, experiment=replace(logged.experiment, source_permalink=link))
        with db.transaction() as session:
            experiments.set_source_permalink(
                session, team_id=team_id, number=logged.experiment.number, permalink=link
            )
            messages.confirmation_update(session, logged)
    announce(sender, logged=logged, queued=confirmation, respond=None, client=client)
    follow_ups.submit(read_run, db=db, sender=sender, logged=logged, secrets=secrets, respond=None)


def register(app: App) -> None:
    app.action(ActionId.EXPERIMENT_NEW)(after_ack(open_new))
    app.action(ActionId.EXPERIMENT_EDIT)(after_ack(open_edit))
    app.view(CallbackId.EXPERIMENT_MODAL)(after_ack(submit_experiment))
