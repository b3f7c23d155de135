"""Column types shared by the models."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC; SQLite hands back naive values, so re-attach UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; ritualbot stores only timezone-aware times")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _real_time() -> datetime:
    return datetime.now(UTC)


_clock: Callable[[], datetime] = _real_time


def utcnow() -> datetime:
    """Now, by the app's one clock: real time, or the sandbox's time while a sandbox runs."""
    return _clock()


def run_on(clock: Callable[[], datetime] | None) -> None:
    """Make `clock` the app's clock (real time again with None).

    Every time the app stamps, compares or shows comes from `utcnow`, so a sandbox that has
    moved its clock on sees records, boards and rituals of that time, never of the real one.
    """
    global _clock
    _clock = clock or _real_time
