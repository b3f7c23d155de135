"""Where a message about a problem goes: in its card's thread, or in its channel without one."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot.problems.service import ProblemRecord
from jobs.messages import CARD
from storage import outbox
from storage.outbox import Relation


def under_card(session: Session, p: ProblemRecord) -> dict[str, Any]:
    """The Outgoing fields of a message in the problem's thread: after its card while the
    card waits to be sent, else replying to the card Slack has (none: a top-level post)."""
    card = outbox.of_record(session, team_id=p.team_id, slot=CARD, record_number=p.number)
    if card is not None and card.ts is None:
        return {"after": card.id, "relation": Relation.REPLY}
    return {"target_ts": p.card_ts}


def channel_of(p: ProblemRecord) -> str:
    """The channel of the problem's thread: its card's, its own, or its owner's DM."""
    return p.card_channel or p.channel_id or p.owner_id
