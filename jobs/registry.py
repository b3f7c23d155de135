"""A model registry event in its problem's thread, queued in the outbox."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.problems import service as problems
from bot.registry import render
from bot.registry.events import ModelEvent
from bot.text import escape
from jobs import threads
from storage import outbox
from storage.outbox import Outgoing


def model_event(
    session: Session, *, team_id: str, number: int, event: ModelEvent, delivery_id: str
) -> int:
    """The event under the problem's card, once per delivery (MLflow sends a delivery
    again, with its id, when ritualbot did not answer it)."""
    p = problems.get(session, team_id=team_id, number=number)
    return outbox.enqueue(
        session,
        Outgoing(
            team_id=team_id,
            # Said to the owner if Slack refuses it: the model's name is MLflow's, escaped.
            what=f"model {escape(event.model[:30])} v{escape(event.version[:8])} in {p.ref}'s thread",
            channel=threads.channel_of(p),
            text=render.event_text(event),
            blocks=render.event(event, number=number),
            owner=p.owner_id,
            key=f"mlflow:{delivery_id}",
            **threads.under_card(session, p),
        ),
    )
