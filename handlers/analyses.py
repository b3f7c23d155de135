"""`/analysis`, the error-analysis modal, the "Start error analysis" button, and Done on an
analysis's follow-ups."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import triggers
from bot.analyses import changes, follow_ups, render
from bot.analyses import service as analyses
from bot.analyses.drafts import AnalysisDraft
from bot.commands import (
    Delete,
    Edit,
    Help,
    History,
    OpenAnalysisForm,
    OwedAnalyses,
    Restore,
    Show,
    carried_number,
    parse_analysis,
)
from bot.experiments import lists as experiment_lists
from bot.experiments import service as experiments
from bot.experiments.modals import ANALYSIS_FIELDS, analysis_modal, read_follow_ups
from bot.forms import read_values
from bot.ids import ActionId, CallbackId, Command
from handlers import history as records
from handlers.errors import after_ack
from handlers.home import show_board
from handlers.people import People
from handlers.slack import show_change, tell_delivery
from jobs import messages
from jobs.outbox import Sender
from storage.db import Database


def analysis_command(
    ack: Ack,
    command: dict[str, Any],
    client: WebClient,
    respond: Respond,
    db: Database,
    people: People,
    sender: Sender,
    trigger: triggers.Trigger,
) -> None:
    team_id, user_id = command["team_id"], command["user_id"]
    match parse_analysis(command.get("text") or ""):
        case OwedAnalyses():
            with db.transaction() as session:
                owed = experiment_lists.owed_analyses(session, team_id=team_id, user_id=user_id)
            ack(text="Error analyses you owe", blocks=render.owed(owed), response_type="ephemeral")
        case Help():
            ack(text=render.HELP, response_type="ephemeral")
        case OpenAnalysisForm(number):
            with db.transaction() as session:
                experiment = analyses.owning_experiment(session, team_id=team_id, number=number)
            ack()
            client.views_open(
                trigger_id=command["trigger_id"], view=analysis_modal(experiment=experiment)
            )
        case Show(number):
            with db.reading() as session:
                analysis = analyses.get(session, team_id=team_id, number=number)
            ack(
                text=render.post_text(analysis),
                blocks=render.detail(analysis),
                response_type="ephemeral",
            )
        case History(number):
            with db.reading() as session:
                versions = changes.versions(session, team_id=team_id, number=number)
            records.answer_history(ack, ref=f"A-{number}", versions=versions)
        case Edit(number):
            actor = people.actor(client, team_id=team_id, user_id=user_id)
            with db.transaction() as session:
                analysis = changes.may_change(session, team_id=team_id, number=number, actor=actor)
                experiment = analyses.owning_experiment(
                    session, team_id=team_id, number=analysis.experiment_number
                )
            ack()
            client.views_open(
                trigger_id=command["trigger_id"],
                view=analysis_modal(experiment=experiment, analysis=analysis),
            )
        case Delete(number):
            actor = people.actor(client, team_id=team_id, user_id=user_id)
            with db.transaction() as session:
                triggers.once(session, trigger=trigger)
                analysis = changes.delete(session, team_id=team_id, number=number, actor=actor)
                queued = messages.analysis_update(session, analysis)
            records.confirm_deletion(
                ack,
                respond,
                ref=analysis.ref,
                number=number,
                undo_action=ActionId.ANALYSIS_RESTORE,
                restore_command="/analysis restore",
            )
            show_change(sender, queued, analysis, client=client, user_id=user_id, respond=respond)
        case Restore(number):
            actor = people.actor(client, team_id=team_id, user_id=user_id)
            with db.transaction() as session:
                triggers.once(session, trigger=trigger)
                analysis = changes.restore(session, team_id=team_id, number=number, actor=actor)
                queued = messages.analysis_update(session, analysis)
            records.confirm_restore(ack, ref=analysis.ref)
            show_change(sender, queued, analysis, client=client, user_id=user_id, respond=respond)


def open_form(ack: Ack, body: dict[str, Any], client: WebClient, db: Database) -> None:
    """The "Start error analysis" button on an experiment or on App Home."""
    ack()
    with db.transaction() as session:
        experiment = analyses.owning_experiment(
            session, team_id=body["team"]["id"], number=records.clicked_number(body)
        )
    client.views_open(trigger_id=body["trigger_id"], view=analysis_modal(experiment=experiment))


def open_edit(
    ack: Ack, body: dict[str, Any], client: WebClient, db: Database, people: People
) -> None:
    """The Edit button on an analysis's details."""
    ack()
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    actor = people.actor(client, team_id=team_id, user_id=user_id)
    with db.transaction() as session:
        analysis = changes.may_change(
            session, team_id=team_id, number=records.clicked_number(body), actor=actor
        )
        experiment = analyses.owning_experiment(
            session, team_id=team_id, number=analysis.experiment_number
        )
    client.views_open(
        trigger_id=body["trigger_id"], view=analysis_modal(experiment=experiment, analysis=analysis)
    )


def submit_analysis(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    db: Database,
    people: People,
    sender: Sender,
    trigger: triggers.Trigger,
) -> None:
    """Save the analysis and post it in the experiment's thread."""
    metadata = json.loads(view.get("private_metadata") or "{}")
    values = read_values(view["state"]["values"], ANALYSIS_FIELDS)
    draft = AnalysisDraft(
        **{k: v for k, v in values.items() if k in AnalysisDraft.__dataclass_fields__},
        follow_ups=read_follow_ups(values),
    )
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    if metadata.get("analysis"):
        actor = people.actor(client, team_id=team_id, user_id=user_id)
        with db.transaction() as session:
            triggers.once(session, trigger=trigger)
            analysis = changes.update(
                session, team_id=team_id, number=metadata["analysis"], draft=draft, actor=actor
            )
            queued = messages.analysis_update(session, analysis)
        ack()
        show_change(sender, queued, analysis, client=client, user_id=user_id)
        return
    with db.transaction() as session:
        saved = analyses.create(
            session,
            team_id=team_id,
            user_id=user_id,
            experiment_number=carried_number(metadata.get("experiment")),
            draft=draft,
            source_key=f"view:{view['id']}",
        )
        queued = (
            messages.analysis(
                session,
                saved.analysis,
                experiments.get(session, team_id=team_id, number=saved.analysis.experiment_number),
            )
            if saved.created
            else []
        )
    ack()
    tell_delivery(
        sender.send_now(queued, team_id=team_id, person=user_id),
        saved=f"{saved.analysis.ref} is saved",
        what="it in the experiment's thread",
        respond=None,
        client=client,
        user_id=user_id,
    )


def undo_delete(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    db: Database,
    people: People,
    sender: Sender,
    trigger: triggers.Trigger,
) -> None:
    ack()
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    actor = people.actor(client, team_id=team_id, user_id=user_id)
    with db.transaction() as session:
        triggers.once(session, trigger=trigger)
        analysis = changes.restore(
            session, team_id=team_id, number=records.clicked_number(body), actor=actor
        )
        queued = messages.analysis_update(session, analysis)
    records.undone(respond, ref=analysis.ref)
    show_change(sender, queued, analysis, client=client, user_id=user_id, respond=respond)


def follow_up_done(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    db: Database,
    people: People,
    sender: Sender,
) -> None:
    """Done on a follow-up, in its owner's DM or on their board: marked done, shown done
    where it was pressed and in the analysis's post."""
    ack()
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    actor = people.actor(client, team_id=team_id, user_id=user_id)
    with db.transaction() as session:
        done = follow_ups.mark_done(
            session, team_id=team_id, follow_up_id=records.clicked_number(body), actor=actor
        )
        analysis = analyses.get(session, team_id=team_id, number=done.analysis_number)
        queued = messages.analysis_update(session, analysis)
    if body.get("view", {}).get("type") == "home":
        show_board(client, db, team_id=team_id, user_id=user_id)
    else:
        respond(
            text=f"Done: {done.text}",
            blocks=render.follow_up_done(done),
            replace_original=True,
        )
    sender.send_now(queued, team_id=team_id, person=user_id)


def register(app: App) -> None:
    app.command(Command.ANALYSIS)(after_ack(analysis_command))
    app.action(ActionId.ANALYSIS_START)(after_ack(open_form))
    app.action(ActionId.ANALYSIS_EDIT)(after_ack(open_edit))
    app.action(ActionId.ANALYSIS_RESTORE)(after_ack(undo_delete))
    app.view(CallbackId.ANALYSIS_MODAL)(after_ack(submit_analysis))
    app.action(ActionId.FOLLOW_UP_DONE)(after_ack(follow_up_done))
