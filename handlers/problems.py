"""`/problem`, its modal, decisions, and the buttons on problem messages."""

from __future__ import annotations

import json
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
    ListProblems,
    OpenForm,
    Restore,
    ShowProblem,
    carried_number,
    parse_problem,
)
from bot.decisions import render as render_decisions
from bot.decisions import service as decisions
from bot.experiments import service as experiments
from bot.experiments.modals import decision_modal
from bot.forms import MessageRef, channel_of
from bot.forms import read_values as read_fields
from bot.ids import ActionId, CallbackId, Command, DecisionField
from bot.problems import lists, render
from bot.problems import service as problems
from bot.problems.draft import ProblemDraft
from bot.problems.modals import problem_modal, read_values
from bot.search import render as render_search
from bot.search import service as search
from handlers import history as records
from handlers.errors import after_ack
from handlers.follow_ups import FollowUps
from handlers.people import People
from handlers.slack import permalink, tell_delivery, whisper
from jobs import messages
from jobs.outbox import Sender
from storage.db import Database

DECIDE_ACTIONS = {action_id: kind for kind, (action_id, _) in render.DECIDE_BUTTONS.items()}


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
                    follow_up,
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
                tried = experiments.of_problem(session, team_id=team_id, number=number)
                decided = decisions.of_problem(session, team_id=team_id, number=number)
            ack(
                blocks=render.detail(problem, experiments=tried, decisions=decided),
                text=render.card_text(problem),
                response_type="ephemeral",
            )
        case Decide(number, kind, rationale):
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


def follow_up(
    *,
    client: WebClient,
    db: Database,
    sender: Sender,
    problem: problems.ProblemRecord,
    card: int,
    respond: Respond,
    domain: str | None,
) -> None:
    """After a quick capture: the card in the channel, then what was tried before that is
    like it, to its author only. Neither is needed for the ack, so neither holds it up."""
    tell_delivery(
        sender.send_now([card], team_id=problem.team_id, person=problem.created_by),
        saved=f"{problem.ref} is saved",
        what="its card here",
        respond=respond,
        client=client,
        user_id=problem.created_by,
    )
    with db.reading() as session:
        alike = search.similar_to_problem(session, problem)
    if alike:
        respond(
            text=render_search.tried_before_text(problem.ref),
            blocks=render_search.tried_before_note(problem.ref, alike, domain=domain),
            response_type="ephemeral",
            replace_original=False,
        )


def open_details(
    ack: Ack, body: dict[str, Any], client: WebClient, db: Database, people: People
) -> None:
    """The "Add details" / "Edit details" button: the modal, filled with what is stored."""
    ack()
    number = records.clicked_number(body)
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    actor = people.actor(client, team_id=team_id, user_id=user_id)
    with db.transaction() as session:
        problem = problems.may_change(session, team_id=team_id, number=number, actor=actor)
    channel = (body.get("channel") or {}).get("id") or problem.channel_id
    client.views_open(
        trigger_id=body["trigger_id"],
        view=problem_modal(channel_id=channel, user_id=user_id, problem=problem),
    )


def open_new(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """The "New problem" button on App Home."""
    ack()
    client.views_open(
        trigger_id=body["trigger_id"],
        view=problem_modal(channel_id=None, user_id=body["user"]["id"]),
    )


def submit_problem(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    db: Database,
    people: People,
    follow_ups: FollowUps,
    sender: Sender,
    trigger: triggers.Trigger,
) -> None:
    """Save the modal; field errors go back inline through the global error handler."""
    metadata = json.loads(view.get("private_metadata") or "{}")
    draft = ProblemDraft(**read_values(view["state"]["values"]))
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    if metadata.get("problem") is not None:
        actor = people.actor(client, team_id=team_id, user_id=user_id)
        with db.transaction() as session:
            triggers.once(session, trigger=trigger)
            problem = problems.update(
                session, team_id=team_id, number=metadata["problem"], draft=draft, actor=actor
            )
            # The metric's baseline, target or direction may have changed under them.
            experiments.reassess(session, team_id=team_id, number=problem.number)
            card = messages.card_update(session, problem)
        ack()
        tell_delivery(
            sender.send_now([card] if card else [], team_id=team_id, person=user_id),
            saved=f"{problem.ref} is saved",
            what="its card's update",
            respond=None,
            client=client,
            user_id=user_id,
        )
        return
    channel = channel_of(metadata)
    with db.transaction() as session:
        saved = problems.create(
            session,
            team_id=team_id,
            user_id=user_id,
            channel_id=channel,
            draft=draft,
            source_key=f"view:{view['id']}",
        )
        card = saved.created and messages.card(session, saved.problem, channel=channel or user_id)
    ack()
    if not card:
        return
    follow_ups.submit(
        publish,
        client=client,
        db=db,
        sender=sender,
        card=card,
        problem=saved.problem,
        source=MessageRef.load(metadata.get("source")),
        domain=(body.get("team") or {}).get("domain"),
    )


def publish(
    *,
    client: WebClient,
    db: Database,
    sender: Sender,
    card: int,
    problem: problems.ProblemRecord,
    source: MessageRef | None,
    domain: str | None,
) -> None:
    """After a saved form: link the message it was captured from, post its card, then tell
    its author what was tried before that is like it (in the channel, to them alone)."""
    link = source and permalink(client, channel=source.channel, ts=source.ts)
    if link:
        with db.transaction() as session:
            problem = problems.set_source_permalink(
                session, team_id=problem.team_id, number=problem.number, permalink=link
            )
            messages.card_update(session, problem)
    tell_delivery(
        sender.send_now([card], team_id=problem.team_id, person=problem.created_by),
        saved=f"{problem.ref} is saved",
        what="its card",
        respond=None,
        client=client,
        user_id=problem.created_by,
    )
    with db.reading() as session:
        alike = search.similar_to_problem(session, problem)
    if alike:
        whisper(
            client,
            channel=problem.channel_id,
            user_id=problem.created_by,
            text=render_search.tried_before_text(problem.ref),
            blocks=render_search.tried_before_note(problem.ref, alike, domain=domain),
        )


def open_decision(
    ack: Ack, body: dict[str, Any], client: WebClient, db: Database, people: People
) -> None:
    """A decision button on a problem card: a small form for the rationale, for those who
    may decide; anyone else is told who may, instead of getting a form they cannot submit."""
    ack()
    action = body["actions"][0]
    kind = DECIDE_ACTIONS[action["action_id"]]
    team_id = body["team"]["id"]
    actor = people.actor(client, team_id=team_id, user_id=body["user"]["id"])
    with db.transaction() as session:
        problem = decisions.decidable(
            session, team_id=team_id, number=carried_number(action.get("value")), actor=actor
        )
    channel = (body.get("channel") or {}).get("id") or problem.channel_id
    client.views_open(
        trigger_id=body["trigger_id"],
        view=decision_modal(problem=problem, kind=kind, channel_id=channel),
    )


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
    values = read_fields(view["state"]["values"], set(DecisionField))
    rationale = decisions.check_rationale(
        values.get(DecisionField.RATIONALE), field=DecisionField.RATIONALE
    )
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    actor = people.actor(client, team_id=team_id, user_id=user_id)
    with db.transaction() as session:
        triggers.once(session, trigger=trigger)
        result = decisions.decide(
            session,
            team_id=team_id,
            actor=actor,
            number=carried_number(metadata.get("problem")),
            kind=decisions.kind_of(str(metadata.get("kind"))),
            rationale=rationale,
            source_key=f"view:{view['id']}",
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
    app.action(ActionId.PROBLEM_ADD_DETAILS)(after_ack(open_details))
    app.action(ActionId.PROBLEM_NEW)(after_ack(open_new))
    app.action(ActionId.PROBLEM_RESTORE)(after_ack(undo_delete))
    for action_id in DECIDE_ACTIONS:
        app.action(action_id)(after_ack(open_decision))
    app.view(CallbackId.PROBLEM_MODAL)(after_ack(submit_problem))
    app.view(CallbackId.DECISION_MODAL)(after_ack(submit_decision))
