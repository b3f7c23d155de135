"""The watch ritual's runner, and the alert a check raises: each queued in the outbox.

One watch ritual per owner runs every day at 10:00 in their timezone. Each run asks the
owner for every check that is due (a cadence after the last check, or the ship) and
reminds them of every retrain that is due. Each prompt is keyed by its problem and its due
day, so a check missed while no clock ran is asked once, by the next run, however many
runs see it still due.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.schedule import parse_key
from bot.watch import render
from bot.watch import service as watching
from bot.watch.service import Checked
from jobs import threads
from storage import outbox
from storage.db import Database
from storage.outbox import Outgoing
from storage.rituals import Ritual, RitualKind


def run(
    *, db: Database, client: WebClient, ritual_id: int, occurrence: str, scheduled_for: datetime
) -> None:
    day, _, _ = parse_key(occurrence)
    with db.transaction() as session:
        ritual = session.scalar(
            select(Ritual).where(Ritual.id == ritual_id, Ritual.kind == RitualKind.WATCH)
        )
        if ritual is None:
            return
        team_id, owner = ritual.team_id, ritual.channel_id
        queued = []
        for log in watching.watched(session, team_id=team_id, owner_id=owner):
            due = watching.check_due(log, zone=ritual.timezone)
            if due <= day:
                queued.append(
                    Outgoing(
                        team_id=team_id,
                        what=f"the check of {log.problem.ref} due {due}",
                        channel=owner,
                        text=render.check_prompt_text(log),
                        blocks=render.check_prompt(log),
                        key=f"watch-check:{log.problem.ref}:{due.isoformat()}",
                    )
                )
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
