"""Parsing of slash-command text into what the user asked for. Pure functions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.errors import UsageError
from bot.problems import Scope

QUOTES = "\"'“”‘’"
REF = re.compile(r"^([PEA])-?(\d{1,9})$", re.IGNORECASE)


def parse_ref(text: str, *, kind: str) -> int:
    """`P-12` (or `p12`) → 12; anything else is a usage error naming what to type."""
    match = REF.match(text.strip())
    if not match or match.group(1).upper() != kind:
        example = {"P": "P-12", "E": "E-34", "A": "A-5"}[kind]
        shown = text.strip()[:30] or "nothing"
        raise UsageError(f"'{shown}' is not an id like {example}.")
    return int(match.group(2))


@dataclass(frozen=True)
class OpenForm:
    pass


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Capture:
    title: str


@dataclass(frozen=True)
class ListProblems:
    scope: str


@dataclass(frozen=True)
class ShowProblem:
    number: int


ProblemCommand = OpenForm | Help | Capture | ListProblems | ShowProblem


def parse_problem(text: str) -> ProblemCommand:
    """What `/problem <text>` asks for."""
    text = text.strip()
    if not text:
        return OpenForm()
    if len(text) >= 2 and text[0] in QUOTES and text[-1] in QUOTES:
        return Capture(text[1:-1])
    word, _, rest = text.partition(" ")
    word, rest = word.lower(), rest.strip()
    if word == "help" and not rest:
        return Help()
    if word == "list":
        scope = (rest or Scope.OPEN).lower()
        if scope not in Scope.CHOICES:
            raise UsageError(
                f"`/problem list` takes open, mine or all, not '{rest[:40]}'. "
                "Example: `/problem list mine`. To capture a problem whose title starts "
                f'with "list", quote it: `/problem "{text[:60]}"`.'
            )
        return ListProblems(scope)
    if word == "show":
        if not rest:
            raise UsageError("Say which problem to show, e.g. `/problem show P-12`.")
        return ShowProblem(parse_ref(rest, kind="P"))
    return Capture(text)


@dataclass(frozen=True)
class StandupNow:
    pass


@dataclass(frozen=True)
class StandupSkip:
    until: date | None


@dataclass(frozen=True)
class StandupPause:
    pass


@dataclass(frozen=True)
class StandupResume:
    pass


StandupCommand = OpenForm | Help | StandupNow | StandupSkip | StandupPause | StandupResume
STANDUP_USAGE = (
    "Type `/standup` for its settings, or `/standup now`, `/standup skip`, "
    "`/standup skip until 2026-12-31`, `/standup pause`, `/standup resume`, `/standup help`."
)


def parse_standup(text: str) -> StandupCommand:
    """What `/standup <text>` asks for."""
    words = text.strip().lower().split()
    simple = {
        (): OpenForm(),
        ("help",): Help(),
        ("now",): StandupNow(),
        ("skip",): StandupSkip(None),
        ("pause",): StandupPause(),
        ("resume",): StandupResume(),
    }
    if tuple(words) in simple:
        return simple[tuple(words)]
    if words[:2] == ["skip", "until"]:
        if len(words) != 3:
            raise UsageError("Say until when, e.g. `/standup skip until 2026-12-31`.")
        try:
            return StandupSkip(date.fromisoformat(words[2]))
        except ValueError:
            raise UsageError(
                f"'{words[2][:20]}' is not a date. Type it as 2026-12-31: "
                "`/standup skip until 2026-12-31`."
            ) from None
    shown = text.strip()[:40]
    raise UsageError(f"`/standup` doesn't know '{shown}'. {STANDUP_USAGE}")
