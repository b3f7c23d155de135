"""Parsing of `/standup` text into what the user asked for. Pure functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.commands import Help, OpenForm
from bot.errors import UsageError


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
