"""Exactly one effect per Slack trigger.

A change stores the key of the request that asked for it in its own transaction. Slack's
redelivery of that request, a double submission, or a captured request replayed within the
signature's five minutes carries the same key: it finds the row, and nothing is changed
again, even if a later request undid the first change (a replayed delete after a restore).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.blocks import when
from bot.errors import AlreadyHandled
from bot.text import escape
from storage.models import HandledRequest
from storage.upsert import insert


@dataclass(frozen=True, kw_only=True)
class Trigger:
    """One Slack request that may change something, as the person who sent it would name it."""

    team_id: str
    user_id: str
    # "command:<trigger_id>", "action:<trigger_id>:<action_ts>" or "view:<id>:<hash>".
    key: str
    # "`/problem delete P-10`", "your Undo click", "the Edit P-10 form".
    what: str


def once(session: Session, *, trigger: Trigger) -> None:
    """Record that `trigger` is being handled; AlreadyHandled if it was before.

    Call it first in the transaction of the change: a concurrent copy of the same request
    waits for this transaction on the row's key, then finds it.
    """
    table = HandledRequest.__table__
    added = session.execute(
        insert(session, table)
        .values(team_id=trigger.team_id, key=trigger.key, user_id=trigger.user_id)
        .on_conflict_do_nothing(index_elements=["team_id", "key"])
        .returning(table.c.key)
    ).scalar_one_or_none()
    if added is not None:
        return
    handled_at = session.scalar(
        select(HandledRequest.handled_at).where(
            HandledRequest.team_id == trigger.team_id, HandledRequest.key == trigger.key
        )
    )
    if handled_at is None:
        raise AlreadyHandled(_again(trigger.what, ""))
    # The mrkdwn shows the time in the reader's own timezone; `what` holds what they typed.
    at = when(handled_at, shown="{time_secs}", fallback="%H:%M:%S UTC")
    raise AlreadyHandled(
        _again(trigger.what, f" at {handled_at:%H:%M:%S} UTC"),
        shown=_again(escape(trigger.what), f" at {at}"),
    )


def _again(what: str, when: str) -> str:
    return f"Slack sent {what} again: it was already done{when}, so nothing changed now."


def forget(session: Session, *, before: datetime) -> int:
    """Drop requests handled before `before`: Slack redelivers within minutes and a
    signature is good for five, so a day-old key can never come back. Upkeep, across
    workspaces."""
    gone = session.execute(delete(HandledRequest).where(HandledRequest.handled_at < before))
    return gone.rowcount or 0
