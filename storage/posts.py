"""A record's channel post, made after the ack: pending, posting, then posted or failed.

A record is stored with its post pending. Whoever posts it (the web process right after the
ack, or the clock's sweep for one a dead process left) first claims it by compare-and-set
and commits the claim, so it is posted at most once. A post Slack never took goes back to
pending for the next sweep; one Slack refused is marked failed and never tried again.
Every query here is scoped by `team_id`, except the sweep's, which looks across workspaces
for rows to hand back to each one's own claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Table, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from storage.models import CardState, Experiment, Problem


@dataclass(frozen=True)
class Post:
    """Where a kind of record keeps its channel post: the table and its three columns."""

    table: Table
    state: str
    channel: str
    ts: str

    def column(self, name: str) -> Column[Any]:
        return self.table.c[name]


PROBLEM_CARD = Post(Problem.__table__, "card_state", "card_channel", "card_ts")
EXPERIMENT_MESSAGE = Post(Experiment.__table__, "message_state", "message_channel", "message_ts")


def _one(post: Post, team_id: str, number: int) -> Any:
    return (post.table.c.team_id == team_id) & (post.table.c.number == number)


def await_post(session: Session, post: Post, *, team_id: str, number: int, channel: str) -> None:
    """Mark the record's post pending, to `channel`: in the transaction that stores it."""
    session.execute(
        update(post.table)
        .where(_one(post, team_id, number))
        .values({post.state: CardState.PENDING, post.channel: channel})
    )


def claim(
    session: Session, post: Post, *, team_id: str, number: int, returning: Sequence[str]
) -> RowMapping | None:
    """Take a pending post: the record's `returning` columns as they are now, or None when
    another process took it first, it was posted or refused already, or the record is gone.
    Commit the claim before posting."""
    claimed = session.execute(
        update(post.table)
        .where(
            _one(post, team_id, number),
            post.column(post.state) == CardState.PENDING,
            post.table.c.deleted_at.is_(None),
        )
        .values({post.state: CardState.POSTING})
        .returning(*(post.column(name) for name in returning))
    ).first()
    return claimed._mapping if claimed else None


def posted(
    session: Session, post: Post, *, team_id: str, number: int, channel: str, ts: str
) -> None:
    """Remember where the post went, so later changes update it in place."""
    session.execute(
        update(post.table)
        .where(_one(post, team_id, number))
        .values({post.state: CardState.POSTED, post.channel: channel, post.ts: ts})
    )


def release(session: Session, post: Post, *, team_id: str, number: int) -> None:
    """Slack never took the post: pending again, for the clock's next sweep."""
    session.execute(
        update(post.table)
        .where(_one(post, team_id, number), post.column(post.state) == CardState.POSTING)
        .values({post.state: CardState.PENDING})
    )


def refused(session: Session, post: Post, *, team_id: str, number: int) -> None:
    """Slack would not take the post (the author has been told why): never try it again."""
    session.execute(
        update(post.table).where(_one(post, team_id, number)).values({post.state: CardState.FAILED})
    )


def pending(
    session: Session, post: Post, *, since: datetime, before: datetime, limit: int = 100
) -> tuple[tuple[str, int], ...]:
    """(team_id, number) of records, in any workspace, whose post has waited since before
    `before`: left by a process that died after the ack. Those older than `since` are left:
    a post days late would only confuse the channel."""
    table = post.table
    rows = session.execute(
        select(table.c.team_id, table.c.number)
        .where(
            post.column(post.state) == CardState.PENDING,
            table.c.created_at >= since,
            table.c.created_at < before,
            table.c.deleted_at.is_(None),
        )
        .order_by(table.c.created_at)
        .limit(limit)
    ).all()
    return tuple((team_id, number) for team_id, number in rows)
