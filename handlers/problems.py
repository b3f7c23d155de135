"""`/problem`, its modal, and the buttons on problem messages."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import problems, search
from bot.commands import Capture, Help, ListProblems, OpenForm, ShowProblem, parse_problem
from bot.ids import ActionId, CallbackId, Command
from bot.render import problems as render
from bot.render import search as render_search
from bot.render.modals import problem_modal, read_values
from handlers.slack import post
from storage.db import Database


def problem_command(
    ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond, db: Database
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
                    draft=problems.ProblemDraft(title=title),
                    source_key=f"command:{command['trigger_id']}",
                )
                alike = search.similar_to_problem(session, saved.problem) if saved.created else ()
            ack(
                text=render.card_text(saved.problem),
                blocks=render.captured(saved.problem, created=saved.created)
                + render_search.tried_before(alike, domain=command.get("team_domain")),
                response_type="ephemeral",
            )
            if saved.created:
                announce(
                    client=client, db=db, problem=saved.problem, channel=channel_id, respond=respond
                )
        case ListProblems(scope):
            with db.transaction() as session:
                result = problems.listing(session, team_id=team_id, scope=scope, user_id=user_id)
            ack(
                blocks=render.listing(result, scope=scope),
                text="Problems",
                response_type="ephemeral",
            )
        case ShowProblem(number):
            with db.transaction() as session:
                problem = problems.get(session, team_id=team_id, number=number)
            ack(
                blocks=render.detail(problem),
                text=render.card_text(problem),
                response_type="ephemeral",
            )


def announce(
    *,
    client: WebClient,
    db: Database,
    problem: problems.ProblemRecord,
    channel: str,
    respond: Respond | None,
) -> None:
    """Post the new problem's card; if the channel refuses it, say so to its author."""
    ts, why_not = post(
        client, channel=channel, text=render.card_text(problem), blocks=render.card(problem)
    )
    if ts is None:
        text = f"{problem.ref} is saved, but I couldn't post its card here: {why_not}."
        if respond is not None:
            respond(text=text, response_type="ephemeral", replace_original=False)
        else:
            post(client, channel=problem.created_by, text=text, blocks=[])
        return
    with db.transaction() as session:
        problems.set_card(
            session, team_id=problem.team_id, number=problem.number, channel=channel, ts=ts
        )


def open_details(ack: Ack, body: dict[str, Any], client: WebClient, db: Database) -> None:
    """The "Add details" / "Edit details" button: the modal, filled with what is stored."""
    ack()
    number = int(body["actions"][0]["value"])
    with db.transaction() as session:
        problem = problems.get(session, team_id=body["team"]["id"], number=number)
    channel = (body.get("channel") or {}).get("id") or problem.channel_id
    client.views_open(
        trigger_id=body["trigger_id"],
        view=problem_modal(channel_id=channel, user_id=body["user"]["id"], problem=problem),
    )


def open_new(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """The "New problem" button on App Home."""
    ack()
    client.views_open(
        trigger_id=body["trigger_id"],
        view=problem_modal(channel_id=None, user_id=body["user"]["id"]),
    )


def submit_problem(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, db: Database
) -> None:
    """Save the modal; field errors go back inline through the global error handler."""
    metadata = json.loads(view.get("private_metadata") or "{}")
    draft = problems.ProblemDraft(**read_values(view["state"]["values"]))
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    with db.transaction() as session:
        if metadata.get("problem"):
            saved = problems.Saved(
                problem=problems.update(
                    session, team_id=team_id, number=metadata["problem"], draft=draft
                ),
                created=False,
            )
        else:
            saved = problems.create(
                session,
                team_id=team_id,
                user_id=user_id,
                channel_id=metadata.get("channel"),
                draft=draft,
                source_key=f"view:{view['id']}",
            )
        alike = search.similar_to_problem(session, saved.problem) if saved.created else ()
    if alike:
        # The confirmation replaces the form, so the author sees what was tried before.
        domain = (body.get("team") or {}).get("domain")
        ack(
            response_action="update",
            view=render_search.saved_modal(saved.problem, alike, domain=domain),
        )
    else:
        ack()
    if saved.created:
        announce(
            client=client,
            db=db,
            problem=saved.problem,
            channel=metadata.get("channel") or user_id,
            respond=None,
        )
    elif saved.problem.card_ts and saved.problem.card_channel:
        client.chat_update(
            channel=saved.problem.card_channel,
            ts=saved.problem.card_ts,
            text=render.card_text(saved.problem),
            blocks=render.card(saved.problem),
        )


def register(app: App) -> None:
    app.command(Command.PROBLEM)(problem_command)
    app.action(ActionId.PROBLEM_ADD_DETAILS)(open_details)
    app.action(ActionId.PROBLEM_NEW)(open_new)
    app.view(CallbackId.PROBLEM_MODAL)(submit_problem)
