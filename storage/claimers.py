"""Claimers: the clock processes that hold claims, each alive while it renews its lease.

A clock process registers a claimer row and renews its `seen_at` every HEARTBEAT
(jobs/lease.py). The outbox messages and the ritual runs it claims carry its id
(`claimed_by`). Once its lease has run out (not seen for LEASE: killed, hung, cut off from
the database), another clock takes its claims over at once: an outbox message after looking
for it in Slack (jobs/outbox.py), a ritual run by running it again (its messages are keyed,
so nothing is queued twice). A claim whose claimer row is gone counts as a dead one's.

Across workspaces: a claimer is a process, not a workspace's.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, String, delete, exists, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import Base
from storage.outbox_rows import OutboxMessage, OutboxState
from storage.rituals import RitualRun
from storage.types import UTCDateTime

# A claimer not seen for this long is taken for dead. It renews three times within it, so
# one slow renewal (a busy database, a pause) does not cost it its claims.
LEASE = timedelta(seconds=30)
HEARTBEAT = LEASE / 3


class Claimer(Base):
    __tablename__ = "claimers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Where it runs (host and pid), for whoever reads the table.
    name: Mapped[str] = mapped_column(String(120))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


def register(session: Session, *, name: str, now: datetime) -> int:
    """A new claimer, alive from `now`; its id."""
    claimer = Claimer(name=name[:120], started_at=now, seen_at=now)
    session.add(claimer)
    session.flush()
    return claimer.id


def renew(session: Session, claimer_id: int, *, now: datetime) -> bool:
    """Renew a claimer's lease; whether it still held it (False: it had run out, or the row
    was forgotten, and others may have taken its claims over)."""
    held = session.execute(
        update(Claimer)
        .where(Claimer.id == claimer_id, Claimer.seen_at >= now - LEASE)
        .values(seen_at=now)
    ).rowcount
    if not held:
        session.execute(update(Claimer).where(Claimer.id == claimer_id).values(seen_at=now))
    return bool(held)


def gone(claimed_by: Any, *, now: datetime) -> Any:
    """A condition on a `claimed_by` column: held by a claimer whose lease ran out."""
    live = exists(
        select(Claimer.id).where(Claimer.id == claimed_by, Claimer.seen_at >= now - LEASE)
    )
    return claimed_by.is_not(None) & ~live


def orphaned(session: Session, *, now: datetime, runs_since: datetime) -> bool:
    """Whether a dead claimer left work behind: a message claimed and not sent, or a ritual
    run scheduled since `runs_since` (older ones are past running) not finished."""
    messages = exists(
        select(OutboxMessage.id).where(
            OutboxMessage.state == OutboxState.CLAIMED, gone(OutboxMessage.claimed_by, now=now)
        )
    )
    runs = exists(
        select(RitualRun.id).where(
            RitualRun.state != "done",
            RitualRun.scheduled_for >= runs_since,
            gone(RitualRun.claimed_by, now=now),
        )
    )
    return bool(session.scalar(select(messages | runs)))


def take_run(
    session: Session, *, team_id: str, ritual_id: int, occurrence: str, claimer: int, now: datetime
) -> bool:
    """Take over an occurrence's unfinished run if nobody alive holds it (its claimer is
    dead, or it is `claimer`'s own, or a process without a lease claimed it); whether
    `claimer` now holds it."""
    taken = session.execute(
        update(RitualRun)
        .where(
            RitualRun.team_id == team_id,
            RitualRun.ritual_id == ritual_id,
            RitualRun.occurrence == occurrence,
            RitualRun.state != "done",
            RitualRun.claimed_by.is_(None)
            | (RitualRun.claimed_by == claimer)
            | gone(RitualRun.claimed_by, now=now),
        )
        .values(claimed_by=claimer)
        .execution_options(synchronize_session=False)
    ).rowcount
    return bool(taken)


def forget(session: Session, *, before: datetime) -> int:
    """Forget claimers not seen since `before` (their claims count as a dead one's)."""
    return session.execute(delete(Claimer).where(Claimer.seen_at < before)).rowcount
