"""The problem form: opened new or filled with what is stored, saved, and then published:
its card, and what was tried before that is like it, in the card's thread."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import triggers
from bot.experiments import outcomes
from bot.forms import MessageRef, channel_of
from bot.ids import ActionId, CallbackId
from bot.problems import metric_lines
from bot.problems import service as problems
from bot.problems.draft import ProblemDraft
from bot.problems.modals import problem_modal, read_values
from bot.search import alike as tried
from handlers import history as records
from handlers.errors import after_ack
from handlers.follow_ups import FollowUps
from handlers.people import People
from handlers.slack import tell_delivery, whisper
from jobs import messages
from jobs.delivery import permalink
from jobs.outbox import Sender
from storage.db import Database


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
            # The metric's baseline, target or direction may change under its experiments.
            with outcomes.rejudged(session, team_id=team_id, number=metadata["problem"]) as redo:
                problem = problems.update(
                    session, team_id=team_id, number=metadata["problem"], draft=draft, actor=actor
                )
            card = messages.problem_changed(session, problem)
            queued = [card] if card else []
            queued += messages.confirmations_update(session, team_id=team_id, numbers=redo)
        ack()
        tell_delivery(
            sender.send_now(queued, team_id=team_id, person=user_id),
            saved=f"{problem.ref} is saved",
            what="its card's update",
            respond=None,
            client=client,
            user_id=user_id,
        )
        warn_target(client, problem=problem, channel=channel_of(metadata), user_id=user_id)
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


def warn_target(
    client: WebClient, *, problem: problems.ProblemRecord, channel: str | None, user_id: str
) -> None:
    """An edit leaves the card where it was posted, maybe out of sight: whoever saved a
    target the evaluation set cannot tell from noise hears it where they worked. A new
    problem's card, posted there, says it already."""
    warned = metric_lines.target_warned(problem)
    if warned:
        text, blocks = warned
        whisper(client, channel=channel, user_id=user_id, text=text, blocks=blocks)


def publish(
    *,
    client: WebClient,
    db: Database,
    sender: Sender,
    card: int,
    problem: problems.ProblemRecord,
    domain: str | None,
    source: MessageRef | None = None,
    respond: Respond | None = None,
) -> None:
    """After a capture (the form, or `/problem <title>` with its `respond`): link the message
    it was captured from, post its card, then tell its author what was tried before that is
    like it. Neither is needed for the ack, so neither holds it up."""
    link = source and permalink(client, channel=source.channel, ts=source.ts)
    if link:
        with db.transaction() as session:
            problem = problems.set_source_permalink(
                session, team_id=problem.team_id, number=problem.number, permalink=link
            )
            messages.card_update(session, problem)
    delivery = sender.send_now([card], team_id=problem.team_id, person=problem.created_by)
    tell_delivery(
        delivery,
        saved=f"{problem.ref} is saved",
        what="its card" if respond is None else "its card here",
        respond=respond,
        client=client,
        user_id=problem.created_by,
    )
    if not delivery.refused:
        tell_tried_before(db=db, sender=sender, card=card, problem=problem, domain=domain)


def tell_tried_before(
    *, db: Database, sender: Sender, card: int, problem: problems.ProblemRecord, domain: str | None
) -> None:
    """What the team tried that is like a new problem, in its card's thread, once the card
    is there (the clock's sweep sends both if Slack is slow); nothing when nothing is."""
    with db.reading() as session:  # ranking, outside the writer's turn
        alike = tried.similar_to_problem(session, problem)
    if not alike:
        return
    with db.transaction() as session:
        note = messages.tried_before(session, problem, alike, card=card, domain=domain)
    sender.send_now([note], team_id=problem.team_id, person=problem.created_by)


def register(app: App) -> None:
    app.action(ActionId.PROBLEM_ADD_DETAILS)(after_ack(open_details))
    app.action(ActionId.PROBLEM_NEW)(after_ack(open_new))
    app.view(CallbackId.PROBLEM_MODAL)(after_ack(submit_problem))
