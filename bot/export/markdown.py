"""Small pieces of a notebook's Markdown: who, when, and user text on one line."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime


def named(user_id: str | None, people: Mapping[str, str]) -> str:
    if not user_id:
        return "nobody"
    name = people.get(user_id)
    return f"{name} ({user_id})" if name else user_id


def on_day(at: datetime | date | None) -> str:
    if at is None:
        return "not said"
    return at.strftime("%Y-%m-%d %H:%M UTC") if isinstance(at, datetime) else at.isoformat()


def one_line(text: str | None) -> str:
    """User text on one line (a heading, a table cell)."""
    return " ".join((text or "").split()).replace("|", "\\|")
