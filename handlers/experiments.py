"""`/experiment`, and the buttons on what it answers: undo a deletion, and log an unusual
value as typed or change it in the form."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import triggers
from bot.commands import (
    Delete,
    Edit,
    Help,
    History,
    OpenExperimentForm,
    QuickLog,
    Restore,
    Show,
    parse_experiment,
)
from bot.errors import UsageError
from bot.experiments import changes, choices, drafts, plausible, render
from bot.experiments import service as experiments
from bot.experiments.modals import experiment_modal
from bot.ids import ActionId, Command, ExperimentField
from bot.search import alike
from bot.search import render as render_search
from handlers import history as records
from handlers.errors import after_ack
from handlers.experiment_form import announce, open_experiment_form, read_run
from handlers.follow_ups import FollowUps
from handlers.people import People
from handlers.slack import show_change
from jobs import messages
from jobs.outbox import Sender
from storage.db import Database
from storage.secrets import SecretBox

STALE_BUTTON = "That button no longer works: type the `/experiment` line again."


def experiment_command(
    ack: Ack,
    command: dict[str, Any],
    client: WebClient,
    respond: Respond,
    db: Database,
    people: People,
    sender: Sender,
    trigger: triggers.Trigger,
    secrets: SecretBox | None,
    follow_ups: FollowUps,
) -> None:
    team_id, user_id, channel_id = command["team_id"], command["user_id"], command["channel_id"]
    match parse_experiment(command.get("text") or ""):
        case OpenExperimentForm(problem):
            if problem is not None:
                with db.reading() as session:
                    choices.open_problem(session, team_id=team_id, number=problem)
            ack()
            open_experiment_form(
                client=client,
                db=db,
                trigger_id=command["trigger_id"],
                team_id=team_id,
                channel_id=channel_id,
                prefill={ExperimentField.PROBLEM: str(problem)} if problem else None,
            )
        case Help():
            ack(text=render.HELP, response_type="ephemeral")
        case QuickLog() as typed:
            try:
                logged, confirmation = _log_typed(
                    db,
                    typed,
                    team_id=team_id,
                    user_id=user_id,
                    channel_id=channel_id,
                    trigger=command["trigger_id"],
                )
            except plausible.Unusual as unusual:
                ack()
                respond(
                    text=unusual.message,
                    blocks=plausible.question(
                        unusual,
                        typed=command.get("text") or "",
                        channel=channel_id,
                        trigger=command["trigger_id"],
                    ),
                    response_type="ephemeral",
                )
                return
            if not logged.created:
                ack(text=f"{logged.experiment.ref} is already logged.", response_type="ephemeral")
                return
            ack()
            announce(sender, logged=logged, queued=confirmation, respond=respond, client=client)
            follow_ups.submit(
                read_run, db=db, sender=sender, logged=logged, secrets=secrets, respond=respond
            )
            tell_tried_before(db, logged=logged, respond=respond, domain=command.get("team_domain"))
        case Show(number):
            with db.reading() as session:
                logged = experiments.get(session, team_id=team_id, number=number)
            ack(
                text=render.confirmation_text(logged),
                blocks=render.detail(logged),
                response_type="ephemeral",
            )
        case History(number):
            with db.reading() as session:
                versions = changes.versions(session, team_id=team_id, number=number)
            records.answer_history(ack, ref=f"E-{number}", versions=versions)
        case Edit(number):
            actor = people.actor(client, team_id=team_id, user_id=user_id)
            with db.transaction() as session:
                logged = changes.may_change(session, team_id=team_id, number=number, actor=actor)
            ack()
            client.views_open(
                trigger_id=command["trigger_id"],
                view=experiment_modal(channel_id=channel_id, experiment=logged.experiment),
            )
        case Delete(number):
            actor = people.actor(client, team_id=team_id, user_id=user_id)
            with db.transaction() as session:
                triggers.once(session, trigger=trigger)
                changed = changes.delete(session, team_id=team_id, number=number, actor=actor)
                queued = messages.corrections(session, changed)
            logged = changed.logged
            records.confirm_deletion(
                ack,
                respond,
                ref=logged.experiment.ref,
                number=number,
                undo_action=ActionId.EXPERIMENT_RESTORE,
                restore_command="/experiment restore",
            )
            show_change(
                sender, queued, logged.experiment, client=client, user_id=user_id, respond=respond
            )
        case Restore(number):
            actor = people.actor(client, team_id=team_id, user_id=user_id)
            with db.transaction() as session:
                triggers.once(session, trigger=trigger)
                changed = changes.restore(session, team_id=team_id, number=number, actor=actor)
                queued = messages.corrections(session, changed)
            logged = changed.logged
            records.confirm_restore(ack, ref=logged.experiment.ref)
            show_change(
                sender, queued, logged.experiment, client=client, user_id=user_id, respond=respond
            )


def _log_typed(
    db: Database,
    typed: QuickLog,
    *,
    team_id: str,
    user_id: str,
    channel_id: str,
    trigger: str,
    confirmed: bool = False,
) -> tuple[experiments.Logged, int]:
    """Log a one-liner (once per command, however often it is delivered or confirmed), with
    its confirmation queued; plausible.Unusual when its value needs asking about first."""
    with db.transaction() as session:
        logged = experiments.create(
            session,
            team_id=team_id,
            user_id=user_id,
            channel_id=channel_id,
            draft=drafts.quick_draft(typed),
            source_key=f"command:{trigger}",
            confirmed=confirmed,
        )
        confirmation = logged.created and messages.confirmation(session, logged, channel=channel_id)
    return logged, confirmation


def log_as_typed(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    db: Database,
    sender: Sender,
) -> None:
    """ "Log it as typed" on the question about an unusual value: the one-liner, logged once
    however often it is clicked."""
    ack()
    typed, channel, trigger = _asked(body)
    logged, confirmation = _log_typed(
        db,
        typed,
        team_id=body["team"]["id"],
        user_id=body["user"]["id"],
        channel_id=channel,
        trigger=trigger,
        confirmed=True,
    )
    respond(
        text=f"Logged {logged.experiment.ref} as typed.",
        replace_original=True,
        response_type="ephemeral",
    )
    if logged.created:
        announce(sender, logged=logged, queued=confirmation, respond=respond, client=client)


def retype(ack: Ack, body: dict[str, Any], client: WebClient, db: Database) -> None:
    """ "Edit" on the question about an unusual value: the form, holding what was typed."""
    ack()
    typed, channel, _ = _asked(body)
    with db.reading() as session:  # gone or closed since it was asked about: say so
        choices.open_problem(session, team_id=body["team"]["id"], number=typed.problem)
    draft = drafts.quick_draft(typed)
    open_experiment_form(
        client=client,
        db=db,
        trigger_id=body["trigger_id"],
        team_id=body["team"]["id"],
        channel_id=channel,
        prefill={
            ExperimentField.PROBLEM: draft.problem,
            ExperimentField.VALUE: draft.value,
            ExperimentField.EVAL_SIZE: draft.eval_size,
            ExperimentField.RUN_URL: draft.run_url,
            ExperimentField.NOTES: draft.notes,
        },
    )


def _asked(body: dict[str, Any]) -> tuple[QuickLog, str, str]:
    """The one-liner a question's button carries, with its channel and its trigger."""
    try:
        text, channel, trigger = plausible.typed_of(body["actions"][0]["value"])
    except (KeyError, TypeError, ValueError):
        raise UsageError(STALE_BUTTON) from None
    typed = parse_experiment(text)
    if not isinstance(typed, QuickLog):
        raise UsageError(STALE_BUTTON)
    return typed, channel, trigger


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
    """The Undo button on a deletion confirmation."""
    ack()
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    actor = people.actor(client, team_id=team_id, user_id=user_id)
    with db.transaction() as session:
        triggers.once(session, trigger=trigger)
        changed = changes.restore(
            session, team_id=team_id, number=records.clicked_number(body), actor=actor
        )
        queued = messages.corrections(session, changed)
    records.undone(respond, ref=changed.logged.experiment.ref)
    show_change(
        sender, queued, changed.logged.experiment, client=client, user_id=user_id, respond=respond
    )


def tell_tried_before(
    db: Database, *, logged: experiments.Logged, respond: Respond, domain: str | None
) -> None:
    """What the team tried that is like a new experiment, to its author only, after the ack
    and after its confirmation: ranking it never holds up the answer to the command."""
    with db.reading() as session:  # ranking, outside the writer's turn
        found = alike.similar_to_experiment(session, logged.experiment)
    tried = render_search.tried_before(found, domain=domain)
    if tried:
        respond(
            text=f"Tried before, like {logged.experiment.ref}",
            blocks=tried,
            response_type="ephemeral",
            replace_original=False,
        )


def register(app: App) -> None:
    app.command(Command.EXPERIMENT)(after_ack(experiment_command))
    app.action(ActionId.EXPERIMENT_RESTORE)(after_ack(undo_delete))
    app.action(ActionId.EXPERIMENT_AS_TYPED)(after_ack(log_as_typed))
    app.action(ActionId.EXPERIMENT_RETYPE)(after_ack(retype))
