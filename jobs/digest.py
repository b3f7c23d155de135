"""The weekly digest, put in the outbox in the transaction that claims its run, so each of
its messages and its chart reach the channel once, whatever Slack or the process does (the
scheduler's job, and `/digest now`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.digest import render
from bot.digest import ritual as digest_schedule
from bot.digest import service as digest
from bot.digest.chart import chart_comment, metric_chart
from bot.digest.ritual import DigestRitual
from storage import outbox, queries
from storage.db import Database
from storage.outbox import Outgoing, Relation
from storage.rituals import RitualRun

log = logging.getLogger(__name__)

QUEUED = "queued"


@dataclass(frozen=True)
class Queued:
    """A digest's messages in the outbox, in order, the week they show, and the key they
    are queued under (the run's: one digest per run)."""

    ids: list[int]
    week: digest.Digest
    key: str


def enqueue(
    session: Session, *, ritual: DigestRitual, run: RitualRun, end: datetime, owner: str | None
) -> Queued:
    """The week ending at `end` as outbox messages of the claimed `run`, in order. `owner`
    hears if the channel refuses it. The chart follows with `enqueue_chart`."""
    run.state = QUEUED
    week = digest.week_ending(
        session, team_id=ritual.team_id, channel_id=ritual.channel_id, end=end
    )
    key = f"digest:{ritual.id}:{run.occurrence}"
    ids: list[int] = []
    for n, message in enumerate(render.messages(week), start=1):
        part = Outgoing(
            team_id=ritual.team_id,
            what="this week's digest" if n == 1 else f"part {n} of this week's digest",
            channel=ritual.channel_id,
            text=message["text"],
            blocks=message["blocks"],
            after=ids[-1] if ids else None,
            relation=Relation.FOLLOWS if ids else None,
            owner=owner if n == 1 else None,
            key=f"{key}#{n}",
        )
        ids.append(outbox.enqueue(session, part))
    return Queued(ids=ids, week=week, key=key)


def enqueue_chart(session: Session, *, ritual: DigestRitual, queued: Queued) -> int | None:
    """The week's metric chart, in its digest's thread; drawn apart from the text because
    drawing takes a while (a person asking is answered first)."""
    if not queued.week.series:
        return None
    chart = Outgoing(
        team_id=ritual.team_id,
        what="this week's metric chart",
        channel=ritual.channel_id,
        text=chart_comment(queued.week.series),
        file=metric_chart(queued.week.series),
        filename=f"digest-{queued.week.end:%Y-%m-%d}.png",
        file_title=f"Metrics · {render.span(queued.week.start, queued.week.end)}",
        after=queued.ids[0],
        relation=Relation.REPLY,
        key=f"{queued.key}#chart",
    )
    return outbox.enqueue(session, chart)


def run(
    *, db: Database, client: WebClient, ritual_id: int, occurrence: str, scheduled_for: datetime
) -> None:
    """The scheduler's job: the week ending at `scheduled_for`, queued once for its channel.

    The scheduler has claimed `occurrence` and may call again; the digest's own run is
    claimed under its own key in the transaction that queues it, so a second call finds it
    claimed and queues nothing.
    """
    with db.transaction() as session:
        ritual = digest_schedule.by_id(session, ritual_id=ritual_id)
        if ritual is None or not ritual.enabled:
            log.info("digest ritual %s is gone or off; nothing posted", ritual_id)
            return
        claimed = queries.claim_run(
            session,
            team_id=ritual.team_id,
            ritual_id=ritual.id,
            occurrence=f"{occurrence}/digest",
            scheduled_for=scheduled_for,
        )
        if claimed is None:
            log.info("digest %s of ritual %s already queued", occurrence, ritual_id)
            return
        queued = enqueue(
            session, ritual=ritual, run=claimed, end=scheduled_for, owner=ritual.owner_id
        )
        enqueue_chart(session, ritual=ritual, queued=queued)
