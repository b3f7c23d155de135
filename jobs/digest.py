"""The weekly digest, put in the outbox in the transaction that claims its run, so each of
its messages and its chart reach the channel once, whatever Slack or the process does (the
scheduler's job, and `/digest now`). After an earlier digest of the same week it is only what
changed since that one, or one line saying nothing did (bot.digest.since)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.digest import render, render_since, since
from bot.digest import ritual as digest_schedule
from bot.digest import service as digest
from bot.digest.chart import Chart, chart_comment, chart_title, metric_chart
from bot.digest.ritual import DigestRitual
from jobs.delivery import permalink
from storage import outbox, queries
from storage.db import Database
from storage.outbox import Outgoing, Relation
from storage.rituals import RitualRun

log = logging.getLogger(__name__)

# Where a digest's run keeps its first message (storage.outbox_rows.SLOTS), for the next to link to.
RUN_SLOT = "digest_run"


@dataclass(frozen=True)
class Queued:
    """A digest's messages in the outbox, in order, what they show, the key they are queued
    under (the run's: one digest per run), and what kind of digest it is (its run's state)."""

    ids: list[int]
    week: digest.Digest
    key: str
    state: str


@dataclass(frozen=True)
class Link:
    """A permalink to the first message of a digest, the one at `ts`."""

    ts: str
    url: str


def link_to_earlier(
    db: Database, client: WebClient, *, team_id: str, channel_id: str, end: datetime
) -> Link | None:
    """A link to the digest a digest ending at `end` would point back to, asked of Slack
    before the transaction that queues it, so no lock is held while Slack answers."""
    with db.reading() as session:
        found = since.earlier(session, team_id=team_id, channel_id=channel_id, end=end)
    if found is None or not (found.shown.channel and found.shown.ts):
        return None
    url = permalink(client, channel=found.shown.channel, ts=found.shown.ts)
    return None if url is None else Link(ts=found.shown.ts, url=url)


def compose(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    end: datetime,
    full: bool = False,
    link: Link | None = None,
    limit: int = render.MESSAGE_BLOCKS,
) -> tuple[str, digest.Digest, list[dict[str, Any]]]:
    """What the channel's digest ending at `end` is: its kind, what it shows, and its
    messages of at most `limit` blocks; what `/digest` previews and `/digest now` posts."""
    found = (
        None if full else since.earlier(session, team_id=team_id, channel_id=channel_id, end=end)
    )
    if found is None:
        week = digest.week_ending(session, team_id=team_id, channel_id=channel_id, end=end)
        return since.WHOLE_WEEK, week, render.messages(week, limit=limit)
    url = link.url if link is not None and link.ts == found.shown.ts else None
    changed = digest.changes_between(
        session, team_id=team_id, channel_id=channel_id, start=found.start, end=end
    )
    if not digest.anything_new(changed):
        return since.NOTHING_NEW, changed, [render_since.nothing_new(earlier=found.shown, link=url)]
    return (
        since.CHANGES,
        changed,
        render_since.changes(changed, earlier=found.shown, link=url, limit=limit),
    )


def enqueue(
    session: Session,
    *,
    ritual: DigestRitual,
    run: RitualRun,
    end: datetime,
    owner: str | None,
    full: bool = False,
    link: Link | None = None,
) -> Queued:
    """The digest ending at `end` as outbox messages of the claimed `run`, in order: the
    whole week when `full` or the first this week, else what changed since the last one.
    `owner` hears if the channel refuses it. The chart follows with `enqueue_chart`."""
    state, week, messages = compose(
        session,
        team_id=ritual.team_id,
        channel_id=ritual.channel_id,
        end=end,
        full=full,
        link=link,
    )
    run.state = state
    key = f"digest:{ritual.id}:{run.occurrence}"
    ids: list[int] = []
    for n, message in enumerate(messages, start=1):
        part = Outgoing(
            team_id=ritual.team_id,
            what="this week's digest" if n == 1 else f"part {n} of this week's digest",
            channel=ritual.channel_id,
            text=message["text"],
            blocks=message["blocks"],
            after=ids[-1] if ids else None,
            relation=Relation.FOLLOWS if ids else None,
            owner=owner if n == 1 else None,
            slot=RUN_SLOT if n == 1 else None,
            record_number=run.id if n == 1 else None,
            key=f"{key}#{n}",
        )
        ids.append(outbox.enqueue(session, part))
    return Queued(ids=ids, week=week, key=key, state=state)


def enqueue_chart(session: Session, *, ritual: DigestRitual, queued: Queued) -> int | None:
    """The week's metric chart, in its digest's thread; drawn apart from the text because
    drawing takes a while (a person asking is answered first)."""
    week = queued.week
    if not week.series:
        return None
    drawn = Chart(start=week.start, end=week.end, series=week.series)
    chart = Outgoing(
        team_id=ritual.team_id,
        what="this week's metric chart",
        channel=ritual.channel_id,
        text=chart_comment(drawn),
        file=metric_chart(drawn),
        filename=f"digest-{week.end:%Y-%m-%d}.png",
        file_title=chart_title(drawn, span=render.span(week.start, week.end)),
        after=queued.ids[0],
        relation=Relation.REPLY,
        key=f"{queued.key}#chart",
    )
    return outbox.enqueue(session, chart)


def run(
    *, db: Database, client: WebClient, ritual_id: int, occurrence: str, scheduled_for: datetime
) -> None:
    """The scheduler's job: the digest ending at `scheduled_for`, queued once for its channel
    (only what changed, after a `/digest now` of the same week).

    The scheduler has claimed `occurrence` and may call again; the digest's own run is
    claimed under its own key in the transaction that queues it, so a second call finds it
    claimed and queues nothing.
    """
    with db.reading() as session:
        ritual = digest_schedule.by_id(session, ritual_id=ritual_id)
    if ritual is None or not ritual.enabled:
        log.info("digest ritual %s is gone or off; nothing posted", ritual_id)
        return
    link = link_to_earlier(
        db, client, team_id=ritual.team_id, channel_id=ritual.channel_id, end=scheduled_for
    )
    with db.transaction() as session:
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
            session,
            ritual=ritual,
            run=claimed,
            end=scheduled_for,
            owner=ritual.owner_id,
            link=link,
        )
        enqueue_chart(session, ritual=ritual, queued=queued)
