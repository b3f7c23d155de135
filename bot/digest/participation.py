"""The week's standups in the digest: who answered on how many days, and the blockers raised."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from bot.digest.week import AnswerRow

# Answers that say "no blocker" in the words people actually type.
NO_BLOCKER = {"", "none", "no", "n/a", "na", "nope", "nothing", "-", "—", "no blockers", "nil"}


@dataclass(frozen=True, kw_only=True)
class Participation:
    user_id: str
    days: int


@dataclass(frozen=True, kw_only=True)
class Blocker:
    user_id: str
    day: date
    text: str


def is_blocker(text: str) -> bool:
    return text.strip().strip(".!").lower() not in NO_BLOCKER


def participation(answers: Iterable[AnswerRow]) -> tuple[Participation, ...]:
    """Each person who answered, most days first."""
    days: dict[str, set[date]] = defaultdict(set)
    for answer in answers:
        days[answer.user_id].add(answer.day)
    return tuple(
        Participation(user_id=user_id, days=len(answered))
        for user_id, answered in sorted(days.items(), key=lambda item: (-len(item[1]), item[0]))
    )


def blockers(answers: Iterable[AnswerRow]) -> tuple[Blocker, ...]:
    """The blockers raised, in the order they were answered."""
    return tuple(
        Blocker(user_id=answer.user_id, day=answer.day, text=text.strip())
        for answer in answers
        for question, text in answer.answers.items()
        if "blocker" in question.lower() and is_blocker(text or "")
    )
