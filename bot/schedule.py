"""When a ritual's occurrences fall: pure wall-clock arithmetic with zoneinfo, DST-correct.

A ritual is planned as steps (a standup's prompt, reminder and cut-off; a digest's one
post) at local wall-clock times, on chosen ISO weekdays, in one or more timezones. Each
step on each local day in each zone is one occurrence, named by a key unique within the
ritual, which is what a run row claims.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Local dates behind or ahead of a UTC instant span at most UTC-12 to UTC+14.
_MAX_OFFSET = timedelta(hours=15)


@dataclass(frozen=True)
class Step:
    """One thing a ritual does each day, at `at` local time, `days_after` the day itself."""

    name: str
    at: time
    days_after: int = 0


@dataclass(frozen=True)
class Plan:
    weekdays: frozenset[int]
    zones: tuple[str, ...]
    steps: tuple[Step, ...]
    holidays: frozenset[date] = frozenset()
    # Occurrence keys carry the zone only when the ritual runs in several.
    per_zone: bool = False


@dataclass(frozen=True, order=True)
class Occurrence:
    at: datetime
    key: str
    day: date
    step: str
    zone: str


def local_instant(day: date, at: time, zone: str) -> datetime:
    """The UTC instant of wall-clock `at` on `day` in `zone`.

    A time skipped by a spring-forward gap happens as many minutes after the gap as it
    was into it (02:30 → 03:30); a time repeated in autumn happens the first time.
    """
    local = datetime.combine(day, at, tzinfo=ZoneInfo(zone)).replace(fold=0)
    return local.astimezone(UTC)


def local_day(instant: datetime, zone: str) -> date:
    return instant.astimezone(ZoneInfo(zone)).date()


def is_planned_day(plan: Plan, day: date) -> bool:
    return day.isoweekday() in plan.weekdays and day not in plan.holidays


def occurrence_key(*, day: date, step: str, zone: str, per_zone: bool) -> str:
    return f"{day.isoformat()}/{step}/{zone}" if per_zone else f"{day.isoformat()}/{step}"


def parse_key(key: str) -> tuple[date, str, str | None]:
    """(day, step, zone or None) from an occurrence key."""
    day, step, *zone = key.split("/", 2)
    return date.fromisoformat(day), step, (zone[0] if zone else None)


def _candidates(plan: Plan, start: datetime, end: datetime) -> Iterator[Occurrence]:
    longest = max((s.days_after for s in plan.steps), default=0)
    first = (start - _MAX_OFFSET).date() - timedelta(days=longest)
    last = (end + _MAX_OFFSET).date()
    day = first
    while day <= last:
        if is_planned_day(plan, day):
            for zone in plan.zones:
                for step in plan.steps:
                    at = local_instant(day + timedelta(days=step.days_after), step.at, zone)
                    key = occurrence_key(day=day, step=step.name, zone=zone, per_zone=plan.per_zone)
                    yield Occurrence(at=at, key=key, day=day, step=step.name, zone=zone)
        day += timedelta(days=1)


def occurrences(plan: Plan, start: datetime, end: datetime) -> list[Occurrence]:
    """Every occurrence with start < at <= end, earliest first."""
    return sorted(o for o in _candidates(plan, start, end) if start < o.at <= end)


def next_occurrence(plan: Plan, after: datetime, *, horizon_days: int = 400) -> Occurrence | None:
    """The first occurrence strictly after `after`, looking a bit over a year ahead."""
    if not plan.weekdays or not plan.zones or not plan.steps:
        return None
    start = after
    for _ in range(horizon_days // 7 + 1):
        end = start + timedelta(days=7)
        found = occurrences(plan, start, end)
        if found:
            return found[0]
        start = end
    return None


def parse_holidays(days: list[str]) -> frozenset[date]:
    return frozenset(date.fromisoformat(day) for day in days)


def at_plus(at: time, minutes: int) -> tuple[time, int]:
    """`at` moved by `minutes` on the wall clock, and how many days that crossed."""
    moved = datetime.combine(date(2000, 1, 1), at) + timedelta(minutes=minutes)
    return moved.time(), (moved.date() - date(2000, 1, 1)).days
