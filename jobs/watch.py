"""The watch ritual's runner, and the alert a check raises: each queued in the outbox.

One watch ritual per owner runs every day at 10:00 in their timezone. Each run asks the
owner for every check that is due (a cadence after the last check, or the ship) and
reminds them of every retrain that is due. Each prompt is keyed by its problem and its due
day, so a check missed while no clock ran is asked once, by the next run, however many
runs see it still due. A plan that names an MLflow run has its value read from the run
instead (with no transaction open) and recorded as a typed check would be, under the same
key; when the run cannot be read, the owner is asked, with why.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.permissions import Actor
from bot.schedule import parse_key
from bot.trackers import mlflow
from bot.trackers.mlflow import TrackerError
from bot.watch import checks, render, sources
from bot.watch import service as watching
from bot.watch.service import Checked, WatchLog
from jobs import canvas, threads
from storage import outbox
from storage.db import Database
from storage.outbox import Outgoing
from storage.rituals import Ritual, RitualKind
from storage.secrets import SecretBox

log = logging.getLogger(__name__)


def run(
    *,
    db: Database,
    client: WebClient,
    ritual_id: int,
    occurrence: str,
    scheduled_for: datetime,
    secrets: SecretBox | None = None,
) -> None:
    day, _, _ = parse_key(occurrence)
    with db.reading() as session:
        ritual = _ritual(session, ritual_id)
        if ritual is None:
            return
        team_id, owner, zone = ritual.team_id, ritual.channel_id, ritual.timezone
        pulls = [
            pull
            for log in watching.watched(session, team_id=team_id, owner_id=owner)
            if watching.check_due(log, zone=zone) <= day
            and (pull := sources.pull_of(session, log, box=secrets)) is not None
        ]
    # The runs are read with no transaction open: a slow tracker holds no writer.
    readings = {pull.number: _read(pull) for pull in pulls}
    with db.transaction() as session:
        ritual = _ritual(session, ritual_id)
        if ritual is None:
            return
        queued: list[Outgoing] = []
        for log in watching.watched(session, team_id=team_id, owner_id=owner):
            due = watching.check_due(log, zone=ritual.timezone)
            if due <= day:
                queued += _check(session, log, due=due, reading=readings.get(log.problem.number))
            retrain = watching.retrain_due(log, zone=ritual.timezone)
            if retrain is not None and retrain <= day:
                queued.append(
                    Outgoing(
                        team_id=team_id,
                        what=f"the retrain of {log.problem.ref} due {retrain}",
                        channel=owner,
                        text=render.retrain_text(log),
                        blocks=render.retrain_reminder(log, due=retrain),
                        key=f"watch-retrain:{log.problem.ref}:{retrain.isoformat()}",
                    )
                )
        outbox.enqueue_all(session, queued)


def _ritual(session: Session, ritual_id: int) -> Ritual | None:
    return session.scalar(
        select(Ritual).where(Ritual.id == ritual_id, Ritual.kind == RitualKind.WATCH)
    )


def _read(pull: sources.Pull) -> sources.Reading:
    """The value in the plan's run, or why it could not be read (never raises)."""
    if pull.server is None:
        return sources.Reading(pull.source, why=pull.problem)
    try:
        run = mlflow.get_run(pull.server, pull.token, pull.source.run_id)
    except TrackerError as error:
        log.info("reading the watched run %s failed: %s", pull.source.run_id, error.message)
        return sources.failed(pull.source, error)
    return sources.value_in(pull.source, run)


def _check(
    session: Session, log: WatchLog, *, due: date, reading: sources.Reading | None
) -> list[Outgoing]:
    """A due check: recorded from its run's value (keyed by its problem and due day, so a
    second run records nothing) and its alert queued, or asked of the owner, with why the
    run was not read; what to tell the owner."""
    p, key = log.problem, f"watch-check:{log.problem.ref}:{due.isoformat()}"
    if reading is None or reading.value is None:
        unread = reading.why if reading is not None else None
        asked = Outgoing(
            team_id=p.team_id,
            what=f"the check of {p.ref} due {due}",
            channel=log.owner_id,
            text=render.check_prompt_text(log),
            blocks=render.check_prompt(log, unread=unread),
            key=key,
        )
        return [asked]
    checked = checks.record_check(
        session,
        team_id=p.team_id,
        number=p.number,
        actor=Actor(user_id=log.owner_id),
        value=reading.value,
        shifted=False,
        note=None,
        source_key=key,
        read_from=reading.source.label,
    )
    if not checked.created:
        return []
    log_changed(session, team_id=p.team_id, number=p.number)
    if checked.alert:
        alert(session, checked)
    told = Outgoing(
        team_id=p.team_id,
        what=f"the check of {p.ref} read from MLflow",
        channel=log.owner_id,
        text=render.read_text(checked),
        blocks=render.read_note(checked),
        key=f"watch-read:{p.ref}:{due.isoformat()}",
    )
    return [told]


def log_changed(session: Session, *, team_id: str, number: int) -> None:
    """A check, retrain or answer to an alert recorded: P-`number`'s canvas, whose notebook
    ends with the watch log, brought up to date (sent later, by the sweep)."""
    canvas.refresh(session, team_id=team_id, number=number)


def alert(session: Session, checked: Checked) -> int:
    """The alert in the problem's thread (under its card), or in its channel without one."""
    p = checked.problem
    return outbox.enqueue(
        session,
        Outgoing(
            team_id=p.team_id,
            what=f"the watch alert on {p.ref}",
            channel=threads.channel_of(p),
            text=render.alert_text(checked),
            blocks=render.alert(checked),
            owner=p.owner_id,
            key=f"watch-alert:{checked.check.id}",
            **threads.under_card(session, p),
        ),
    )
