"""One digest a week per channel: a digest that follows another of the same week covers only
what changed since it, and the digests a channel was sent that week, as its runs record them.

A digest's run is in one of three states once queued: the whole week, what changed since
the one before, or the one line saying nothing did. "The same week" is the seven days a
digest covers, less two hours: a weekly schedule's occurrences are a week apart, give or
take the hour a DST change moves them, and last week's scheduled digest is not this week's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.digest.week import WEEK
from storage.rituals import Ritual, RitualKind, RitualRun

WHOLE_WEEK = "queued"
CHANGES = "changes"
NOTHING_NEW = "nothing new"
SAME_WEEK = WEEK - timedelta(hours=2)


@dataclass(frozen=True, kw_only=True)
class Earlier:
    """A digest the channel was sent: up to when it covered, who asked for it (None: the
    schedule posted it), and where its first message went once Slack took it."""

    at: datetime
    asked_by: str | None
    channel: str | None
    ts: str | None


@dataclass(frozen=True, kw_only=True)
class Since:
    """What a digest after another this week covers: from `start`, the end of the last one.
    `shown` is the last one that said something: the one "nothing new" points back to."""

    start: datetime
    shown: Earlier


def earlier(session: Session, *, team_id: str, channel_id: str, end: datetime) -> Since | None:
    """The channel's digests of the week up to `end`, latest first; None when it had none."""
    rows = session.execute(
        select(
            RitualRun.scheduled_for,
            RitualRun.state,
            RitualRun.started_by,
            RitualRun.channel,
            RitualRun.ts,
        )
        .join(Ritual, Ritual.id == RitualRun.ritual_id)
        .where(
            Ritual.team_id == team_id,
            Ritual.kind == RitualKind.DIGEST,
            Ritual.channel_id == channel_id,
            RitualRun.team_id == team_id,
            RitualRun.state.in_((WHOLE_WEEK, CHANGES, NOTHING_NEW)),
            RitualRun.scheduled_for > end - SAME_WEEK,
            RitualRun.scheduled_for < end,
        )
        .order_by(RitualRun.scheduled_for.desc(), RitualRun.id.desc())
    ).all()
    if not rows:
        return None
    shown = next((r for r in rows if r.state != NOTHING_NEW), rows[0])
    return Since(
        start=rows[0].scheduled_for,
        shown=Earlier(
            at=shown.scheduled_for, asked_by=shown.started_by, channel=shown.channel, ts=shown.ts
        ),
    )
