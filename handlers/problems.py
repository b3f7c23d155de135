"""`/problem`: capture, list, show, decide, edit, delete and restore, and the Undo button on
a deletion. The form and the decision buttons have modules of their own beside this one."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import triggers
from bot.commands import (
    Capture,
    Decide,
    Delete,
    Edit,
    Help,
    History,
    LinkModel,
    ListProblems,
    OpenForm,
    Restore,
    SetMetricKey,
    SetWatchSource,
    ShowProblem,
    parse_problem,
)
from bot.decisions import render as render_decisions
from bot.decisions import service as decisions
from bot.experiments import lists as experiment_lists
from bot.ids import ActionId, Command
from bot.problems import lists, render
from bot.problems import service as problems
from bot.problems.draft import ProblemDraft
from bot.problems.modals import problem_modal
from bot.watch import render as watch_render
from bot.watch import sources
from handlers import history as records
from handlers.errors import after_ack
from handlers.follow_ups import FollowUps
from handlers.people import People
from handlers.problem_form import publish
from handlers.registry import link_model
from handlers.slack import tell_delivery
from jobs import messages
from jobs.outbox import Sender
from storage.db import Database
from storage.secrets import SecretBox


def problem_command(
    ack: Ack,
    command: dict[str, Any],
    client: WebClient,
    respond: Respond,
    db: Database,
    people: People,
    follow_ups: FollowUps,
    sender: Sender,
    trigger: triggers.Trigger,
    secrets: SecretBox | None,
    public_url: str | None,
) -> None:
    team_id, user_id, channel_id = command["team_id"], command["user_id"], command["channel_id"]
    match parse_problem(command.get("text") or ""):
        case OpenForm():
            ack()
            client.views_open(
                trigger_id=command["trigger_id"],
                view=problem_modal(channel_id=channel_id, user_id=user_id),
            )
        case Help():
            ack(text=render.HELP, response_type="ephemeral")
        case Capture(title):
            with db.transaction() as session:
                saved = problems.create(
                    session,
                    team_id=team_id,
                    user_id=user_id,
                    channel_id=channel_id,
                    draft=ProblemDraft(title=title),
                    source_key=f"command:{command['trigger_id']}",
                )
                card = saved.created and messages.card(session, saved.problem, channel=channel_id)
            ack(
                text=render.card_text(saved.problem),
                blocks=render.captured(saved.problem, created=saved.created),
                response_type="ephemeral",
            )
            if card:
                follow_ups.submit(
                    publish,
                    client=client,
                    db=db,
                    sender=sender,
                    problem=saved.problem,
                    card=card,
                    respond=respond,
                    domain=command.get("team_domain"),
                )
        case ListProblems(scope):
            with db.reading() as session:
                result = lists.listing(session, team_id=team_id, scope=scope, user_id=user_id)
            ack(
                blocks=render.listing(result, scope=scope),
                text="Problems",
                response_type="ephemeral",
            )
        case ShowProblem(number):
            with db.reading() as session:
                problem = problems.get(session, team_id=team_id, number=number)
                tried = experiment_lists.of_problem(session, team_id=team_id, number=number)
                decided = decisions.of_problem(session, team_id=team_id, number=number)
            ack(
                blocks=render.detail(problem, experiments=tried, decisions=decided),
                text=render.card_text(problem),
                response_type="ephemeral",
            )
        case SetMetricKey(number, key):
            actor = people.actor(client, team_id=team_id, user_id=user_id)
            with db.transaction() as session:
                problems.set_metric_key(
                    session, team_id=team_id, number=number, key=key, actor=actor
                )
            ack(text=render.metric_key_set(number, key), response_type="ephemeral")
        case SetWatchSource(number, run, key):
            actor = people.actor(client, team_id=team_id, user_id=user_id)
            with db.transaction() as session:
                problem = sources.set_source(
                    session, team_id=team_id, number=number, run=run, key=key, actor=actor
                )
                card = messages.problem_changed(session, problem)
            ack(text=watch_render.source_set(problem), response_type="ephemeral")
            sender.send_now([card] if card else [], team_id=team_id, person=user_id)
        case LinkModel(number, model):
            link_model(
                ack=ack,
                respond=respond,
                command=command,
                client=client,
                db=db,
                people=people,
                secrets=secrets,
                public_url=public_url,
                number=number,
                model=model,
            )
        case Decide(number, kind, rationale, watch):
            actor = people.actor(client, team_id=team_id, user_id=user_id)
            with db.transaction() as session:
                triggers.once(session, trigger=trigger)
                result = decisions.decide(
                    session,
                    team_id=team_id,
                    actor=actor,
                    number=number,
                    kind=kind,
                    rationale=rationale,
                    source_key=f"command:{command['trigger_id']}",
                    watch=watch,
                )
                queued = (
                    messages.decision(session, result, channel=channel_id) if result.created else []
                )
            ack(
                text=f"Recorded: {render_decisions.posted_text(result)}.",
                response_type="ephemeral",
            )
            tell_delivery(
                sender.send_now(queued, team_id=team_id, person=user_id),
                saved=f"The decision on {result.problem.ref} is recorded",
                what="it here",
                respond=respond,
                client=client,
                user_id=user_id,
            )
        case Edit(number):
            actor = people.actor(client, team_id=team_id, user_id=user_id)
            with db.transaction() as session:
                problem = problems.may_change(session, team_id=team_id, number=number, actor=actor)
            ack()
            client.views_open(
                trigger_id=command["trigger_id"],
                view=problem_modal(channel_id=channel_id, user_id=user_id, problem=problem),
            )
        case Delete(number):
            actor = people.actor(client, team_id=team_id, user_id=user_id)
            with db.transaction() as session:
                triggers.once(session, trigger=trigger)
                problem = problems.delete(session, team_id=team_id, number=number, actor=actor)
            records.confirm_deletion(
                ack,
                respond,
                ref=problem.ref,
                number=number,
                undo_action=ActionId.PROBLEM_RESTORE,
                restore_command="/problem restore",
            )
        case Restore(number):
            actor = people.actor(client, team_id=team_id, user_id=user_id)
            with db.transaction() as session:
                triggers.once(session, trigger=trigger)
                problem = problems.restore(session, team_id=team_id, number=number, actor=actor)
            records.confirm_restore(ack, ref=problem.ref)
        case History(number):
            with db.reading() as session:
                versions = problems.versions(session, team_id=team_id, number=number)
            records.answer_history(ack, ref=f"P-{number}", versions=versions)


def undo_delete(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    db: Database,
    people: People,
    trigger: triggers.Trigger,
) -> None:
    """The Undo button on a deletion confirmation."""
    ack()
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    actor = people.actor(client, team_id=team_id, user_id=user_id)
    with db.transaction() as session:
        triggers.once(session, trigger=trigger)
        problem = problems.restore(
            session, team_id=team_id, number=records.clicked_number(body), actor=actor
        )
    records.undone(respond, ref=problem.ref)


def register(app: App) -> None:
    app.command(Command.PROBLEM)(after_ack(problem_command))
    app.action(ActionId.PROBLEM_RESTORE)(after_ack(undo_delete))
