"""Blockers followed up: a blocker raised in a standup stays open, asked about in its
person's next prompt and form, until they say it is resolved. One still open at a second
standup of theirs goes to the standup's owner, and the summary and digest list it with
its age: the calendar days since the standup that raised it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.standup.answers import NOTHING, is_blocker_question
from storage.rituals import StandupBlocker

STILL, RESOLVED = "still", "resolved"
# The answer form's question about an earlier blocker.
FIELD = "still_blocked"


@dataclass(frozen=True, kw_only=True)
class OpenBlocker:
    id: int
    user_id: str
    text: str
    raised_on: date
    seen_on: date

    def age(self, on: date) -> int:
        """Days blocked by `on`."""
        return (on - self.raised_on).days

    @property
    def followed_up(self) -> bool:
        """Still open at a later standup than the one that raised it."""
        return self.seen_on > self.raised_on


def _record(row: StandupBlocker) -> OpenBlocker:
    return OpenBlocker(
        id=row.id, user_id=row.user_id, text=row.text, raised_on=row.raised_on, seen_on=row.seen_on
    )


def raised(answers: dict[str, str]) -> str | None:
    """The blocker an answer raises: its blocker question's answer, unless that says none."""
    texts = [
        text.strip()
        for question, text in answers.items()
        if is_blocker_question(question) and text.strip() and not NOTHING.match(text.strip())
    ]
    return "\n".join(texts) or None


def _open_rows(
    session: Session, *, team_id: str, ritual_ids: Iterable[int], user_id: str | None = None
) -> list[StandupBlocker]:
    query = select(StandupBlocker).where(
        StandupBlocker.team_id == team_id,
        StandupBlocker.ritual_id.in_(list(ritual_ids)),
        StandupBlocker.resolved_on.is_(None),
    )
    if user_id is not None:
        query = query.where(StandupBlocker.user_id == user_id)
    return list(session.scalars(query.order_by(StandupBlocker.raised_on, StandupBlocker.id)))


def open_before(
    session: Session, *, team_id: str, ritual_id: int, day: date
) -> dict[str, OpenBlocker]:
    """Each person's blocker raised before `day` and still open: what their prompt and form
    for `day` ask about. One read for the whole standup."""
    return {
        row.user_id: _record(row)
        for row in _open_rows(session, team_id=team_id, ritual_ids=[ritual_id])
        if row.raised_on < day
    }


def standing(
    session: Session, *, team_id: str, ritual_ids: Iterable[int], on: date
) -> tuple[OpenBlocker, ...]:
    """Blockers open at two standups of their person by `on` and not resolved, oldest
    first."""
    rows = _open_rows(session, team_id=team_id, ritual_ids=ritual_ids)
    return tuple(_record(row) for row in rows if row.raised_on < row.seen_on <= on)


def follow_up(
    session: Session,
    *,
    team_id: str,
    ritual_id: int,
    user_id: str,
    day: date,
    answers: dict[str, str],
    still_blocked: str | None,
) -> OpenBlocker | None:
    """What the day's answer says of the person's blockers: an earlier one resolved or
    still open (`still_blocked`; unsaid, a blocker answered keeps it open), and a new one
    raised. The blocker now open at a second standup of theirs, if any."""
    text = raised(answers)
    rows = _open_rows(session, team_id=team_id, ritual_ids=[ritual_id], user_id=user_id)
    earlier = next((row for row in rows if row.raised_on < day), None)
    today = next((row for row in rows if row.raised_on == day), None)
    if earlier is not None and still_blocked == RESOLVED:
        earlier.resolved_on, earlier = day, None
    if earlier is not None:
        if text is not None or still_blocked == STILL:
            earlier.seen_on = day
            earlier.text = text or earlier.text
        if today is not None:  # an edit that carried the old blocker on
            session.delete(today)
    elif text is not None and today is not None:
        today.text = text
    elif text is not None:
        session.add(
            StandupBlocker(
                team_id=team_id,
                ritual_id=ritual_id,
                user_id=user_id,
                text=text,
                raised_on=day,
                seen_on=day,
            )
        )
    elif today is not None:  # an edit took the blocker back
        session.delete(today)
    session.flush()
    return _record(earlier) if earlier is not None and earlier.seen_on > earlier.raised_on else None
