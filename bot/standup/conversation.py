"""A standup answered by replying in the DM, as a conversation: what a reply says (an
answer, or "skip", "away until 2026-12-31", "edit", "nothing to report") and which question
comes next given the answers so far. Pure functions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.errors import UsageError


@dataclass(frozen=True)
class Answer:
    text: str


@dataclass(frozen=True)
class Skip:
    """Not today: the day's standup skipped."""


@dataclass(frozen=True)
class AwayUntil:
    until: date


@dataclass(frozen=True)
class Edit:
    """Start the day's answers again, from the first question."""


@dataclass(frozen=True)
class NothingToReport:
    """Every question left answered with nothing, posted as "nothing to report"."""


Reply = Answer | Skip | AwayUntil | Edit | NothingToReport

USAGE = (
    "Reply with your answer, or `skip` (not today), `away until 2026-12-31`, `edit` (start "
    "again from the first question) or `nothing to report`."
)
_AWAY = re.compile(r"^away\s+until\s+(\S+)$", re.IGNORECASE)
_WORDS = {"skip": Skip(), "edit": Edit(), "nothing to report": NothingToReport()}


def parse(text: str) -> Reply:
    """What a reply in the DM says. A word alone on the line is a command; anything else is
    the answer to the question asked."""
    said = " ".join(text.split())
    if not said:
        raise UsageError(f"That reply was empty. {USAGE}")
    word = said.lower().rstrip(".!")
    if word in _WORDS:
        return _WORDS[word]
    if word.startswith("away"):
        return AwayUntil(_away_until(word))
    return Answer(text.strip())


def _away_until(said: str) -> date:
    found = _AWAY.match(said)
    if found is None:
        raise UsageError("Say until when you are away, e.g. `away until 2026-12-31`.")
    try:
        return date.fromisoformat(found.group(1))
    except ValueError:
        raise UsageError(
            f"'{found.group(1)[:20]}' is not a date. Type it as 2026-12-31: "
            "`away until 2026-12-31`."
        ) from None


def next_question(questions: tuple[str, ...], answers: dict[str, str]) -> int | None:
    """The index of the first question not answered yet; None when all are."""
    return next((i for i, q in enumerate(questions) if q not in answers), None)


def answered(
    questions: tuple[str, ...], answers: dict[str, str], index: int, text: str
) -> dict[str, str]:
    """`answers` with question `index` answered by `text`."""
    return {**answers, questions[index]: text}


def nothing_left(questions: tuple[str, ...], answers: dict[str, str]) -> dict[str, str]:
    """`answers` with every question still open answered with nothing."""
    return {q: answers.get(q, "") for q in questions}
