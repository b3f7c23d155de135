"""The week's standups in the digest: who was prompted, who answered, who was away, each
person's response rate over four weeks, and the blockers raised."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from bot.digest.rows import AnswerRow
from bot.standup.participation import DayRoll, Rate, rates

# Answers that say "no blocker" in the words people actually type.
NO_BLOCKER = {"", "none", "no", "n/a", "na", "nope", "nothing", "-", "—", "no blockers", "nil"}
WEEK_DAYS = 7


@dataclass(frozen=True, kw_only=True)
class Participation:
    """One person's week of standups: days prompted, answered and away, and their rate over
    the four weeks ending with it."""

    user_id: str
    prompted: int
    answered: int
    away: int
    rate: Rate | None


@dataclass(frozen=True, kw_only=True)
class Blocker:
    user_id: str
    day: date
    text: str


def is_blocker(text: str) -> bool:
    return text.strip().strip(".!").lower() not in NO_BLOCKER


def week_rolls(rolls: Iterable[DayRoll], *, last: date) -> tuple[DayRoll, ...]:
    """The standup days of the week that ends with `last`."""
    first = last - timedelta(days=WEEK_DAYS - 1)
    return tuple(roll for roll in rolls if first <= roll.day <= last)


def participation(rolls: Iterable[DayRoll], *, last: date) -> tuple[Participation, ...]:
    """Each person prompted, answering or away in the week ending with `last`, most days
    answered first; `rolls` cover the four weeks the rates are taken over. Pure."""
    rolls = tuple(rolls)
    week = week_rolls(rolls, last=last)
    by_user = {r.user_id: r for r in rates(rolls)}
    people = set().union(*(roll.prompted | roll.away for roll in week))
    listed = [
        Participation(
            user_id=u,
            prompted=sum(u in roll.prompted for roll in week),
            answered=sum(u in roll.answered for roll in week),
            away=sum(u in roll.away for roll in week),
            rate=by_user.get(u),
        )
        for u in people
    ]
    return tuple(sorted(listed, key=lambda p: (-p.answered, p.away, p.user_id)))


def blockers(answers: Iterable[AnswerRow]) -> tuple[Blocker, ...]:
    """The blockers raised, in the order they were answered."""
    return tuple(
        Blocker(user_id=answer.user_id, day=answer.day, text=text.strip())
        for answer in answers
        for question, text in answer.answers.items()
        if "blocker" in question.lower() and is_blocker(text or "")
    )
