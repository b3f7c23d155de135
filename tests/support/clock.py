"""Instants for tests that run a clock, chosen so the hour the suite runs at does not matter."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta


def a_weekday_morning(after: datetime) -> datetime:
    """07:00 UTC on the next weekday after `after`: before 09:30 in London and in Toronto,
    so the first standup prompt of the day is always London's, whatever hour tests run at.

    Nothing of the demo's (sandbox/demo.py) is due then either: its Shanghai and Kolkata
    prompts and reminders are at least two hours (their grace) old, London's 09:30 is ahead,
    and its digest is on Friday at 16:00 in London: its channel holds only the seeded history.
    """
    day = after.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(7), tzinfo=UTC)
