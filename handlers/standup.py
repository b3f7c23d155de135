"""`/standup`, its settings modal, the prompt's Answer button and the answers modal."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import triggers
from bot.commands import Help, OpenForm, carried_number
from bot.forms import MessageRef
from bot.ids import ActionId, CallbackId, Command
from bot.standup import answers as standup_answers
from bot.standup import away as time_away
from bot.standup import blockers, render
from bot.standup import modals as standup_modals
from bot.standup import replies as standup_replies
from bot.standup import service as standups
from bot.standup import settings as standup_settings
from bot.standup.commands import (
    StandupNow,
    StandupPause,
    StandupResume,
    StandupSkip,
    parse_standup,
)
from handlers.errors import after_ack
from handlers.experiment_form import open_experiment_form
from handlers.slack import tell_delivery
from jobs import profiles, roster, standup_dm
from jobs import standup as job
from jobs.outbox import Sender
from jobs.standup_answers import queue_saved
from storage.db import Database
from storage.types import utcnow


def standup_command(
    ack: Ack,
    command: dict[str, Any],
    client: WebClient,
    respond: Respond,
    db: Database,
    sender: Sender,
    trigger: triggers.Trigger,
) -> None:
    team_id, user_id, channel_id = command["team_id"], command["user_id"], command["channel_id"]
    match parse_standup(command.get("text") or ""):
        case OpenForm():
            ack()
            with db.transaction() as session:
                record = standups.for_channel(session, team_id=team_id, channel_id=channel_id)
            client.views_open(
                trigger_id=command["trigger_id"],
                view=standup_modals.settings_modal(channel_id=channel_id, record=record),
            )
        case Help():
            ack(text=render.HELP, response_type="ephemeral")
        case StandupNow():
            now = utcnow()
            with db.transaction() as session:
                triggers.once(session, trigger=trigger)
                started = standups.start_now(
                    session, team_id=team_id, channel_id=channel_id, user_id=user_id, now=now
                )
            if not started.ours:
                ack(text=render.already_started(started), response_type="ephemeral")
                return
            ack(text="Sending today's standup prompts…", response_type="ephemeral")
            prompted = job.prompt_now(
                db=db, client=client, sender=sender, record=started.record, now=now
            )
            respond(
                text=render.prompted_now(prompted),
                response_type="ephemeral",
                replace_original=False,
            )
        case StandupSkip(until):
            with db.transaction() as session:
                triggers.once(session, trigger=trigger)
                record = standups.of_channel(session, team_id=team_id, channel_id=channel_id)
                first, last = time_away.skip(
                    session, record=record, user_id=user_id, until=until, now=utcnow()
                )
            ack(
                text=render.skipping(first, last, until=until is not None),
                response_type="ephemeral",
            )
        case StandupPause() | StandupResume() as asked:
            enabled = isinstance(asked, StandupResume)
            with db.transaction() as session:
                triggers.once(session, trigger=trigger)
                standup_settings.set_enabled(
                    session, team_id=team_id, channel_id=channel_id, enabled=enabled
                )
            ack(text=render.switched(enabled=enabled), response_type="in_channel")


def submit_settings(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    db: Database,
    sender: Sender,
    trigger: triggers.Trigger,
) -> None:
    channel_id = json.loads(view.get("private_metadata") or "{}")["channel"]
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    draft = standup_settings.SettingsDraft(**standup_modals.read_settings(view["state"]["values"]))
    with db.transaction() as session:
        triggers.once(session, trigger=trigger)
        record = standup_settings.save(
            session, team_id=team_id, channel_id=channel_id, user_id=user_id, draft=draft
        )
        notice = queue_saved(session, record=record, user_id=user_id)
    ack()
    roster.sync(db=db, client=client, record=record)
    tell_delivery(
        sender.send_now([notice], team_id=team_id, person=user_id),
        saved="The standup is saved",
        what=f"the announcement in <#{channel_id}>",
        respond=None,
        client=client,
        user_id=user_id,
    )


def open_answer(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, db: Database
) -> None:
    """The prompt's Answer button: the questions, filled with what was already answered."""
    ack()
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    ritual_id, day = render.parse_open_value(body["actions"][0]["value"])
    with db.transaction() as session:
        record = standups.get(session, team_id=team_id, ritual_id=ritual_id)
        existing = standup_answers.answer_of(
            session, team_id=team_id, ritual_id=ritual_id, day=day, user_id=user_id
        )
        blocker = blockers.open_before(session, team_id=team_id, ritual_id=ritual_id, day=day).get(
            user_id
        )
    now = utcnow()
    if standup_answers.closed_to(
        record, user_id=user_id, day=day, now=now, answered=existing is not None
    ):
        respond(text=render.closed(day), response_type="ephemeral", replace_original=False)
        return
    closes = record.cutoff_for(user_id, day) if record.cutoff_time else None
    closes = closes if closes and now < closes else None
    client.views_open(
        trigger_id=body["trigger_id"],
        view=standup_modals.answer_modal(
            record=record,
            day=day,
            existing=existing,
            closes=render.closes_at(closes, record.own_zone(user_id)) if closes else None,
            blocker=blocker,
        ),
    )


def submit_answer(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    db: Database,
    sender: Sender,
    trigger: triggers.Trigger,
) -> None:
    """Save the answer and queue its post in the day's thread (or the edit of the posted
    message) in one commit, then send it at once."""
    metadata = json.loads(view.get("private_metadata") or "{}")
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    ritual_id, day = render.parse_open_value(f"{metadata.get('ritual')}:{metadata.get('day')}")
    now = utcnow()
    profiles.ensure(db=db, client=client, team_id=team_id, user_id=user_id, now=now)
    values = view["state"]["values"]
    with db.transaction() as session:
        triggers.once(session, trigger=trigger)
        record = standups.get(session, team_id=team_id, ritual_id=ritual_id)
        answer = standup_answers.save_answer(
            session,
            team_id=team_id,
            ritual_id=record.id,
            day=day,
            user_id=user_id,
            answers=standup_modals.read_answers(record, values),
            now=now,
            nothing_to_report=standup_modals.read_nothing_to_report(values),
        )
        standup_replies.answered_by_form(
            session, team_id=team_id, ritual_id=record.id, day=day, user_id=user_id
        )
        queued = standup_dm.queue_answered(
            session,
            record=record,
            answer=answer,
            still_blocked=standup_modals.read_still_blocked(values),
        )
    ack()
    tell_delivery(
        sender.send_now(queued, team_id=team_id, person=user_id),
        saved="Your standup answer is saved",
        what=f"it in <#{record.channel_id}>",
        respond=None,
        client=client,
        user_id=user_id,
    )


def log_experiment_from_answer(
    ack: Ack, body: dict[str, Any], client: WebClient, db: Database
) -> None:
    """ "Log as experiment" on a posted answer: the experiment form, with the answer as notes."""
    ack()
    value = body["actions"][0].get("value") or ""
    answer_id = carried_number(value.removeprefix("standup-answer:"))
    team_id = body["team"]["id"]
    with db.transaction() as session:
        notes = standup_answers.experiment_results(session, team_id=team_id, answer_id=answer_id)
    channel = (body.get("channel") or {}).get("id")
    ts = (body.get("message") or {}).get("ts")
    open_experiment_form(
        client=client,
        db=db,
        trigger_id=body["trigger_id"],
        team_id=team_id,
        channel_id=channel,
        prefill={"notes": notes},
        source=MessageRef(channel, ts) if channel and ts else None,
    )


def register(app: App) -> None:
    app.command(Command.STANDUP)(after_ack(standup_command))
    app.view(CallbackId.STANDUP_SETTINGS)(after_ack(submit_settings))
    app.action(ActionId.STANDUP_OPEN)(after_ack(open_answer))
    app.view(CallbackId.STANDUP_ANSWER)(after_ack(submit_answer))
    app.action(ActionId.LOG_EXPERIMENT_FROM_STANDUP)(after_ack(log_experiment_from_answer))
