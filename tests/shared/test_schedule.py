"""Occurrence arithmetic: local wall-clock times in several zones, across both DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.schedule import (
    Plan,
    Step,
    at_plus,
    local_instant,
    next_occurrence,
    occurrences,
    parse_key,
)

WEEKDAYS = frozenset({1, 2, 3, 4, 5})


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def plan(zones=("UTC",), *, at=time(9, 30), holidays=(), per_zone=True, weekdays=WEEKDAYS) -> Plan:
    return Plan(
        weekdays=frozenset(weekdays),
        zones=tuple(zones),
        steps=(Step("prompt", at),),
        holidays=frozenset(holidays),
        per_zone=per_zone,
    )


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        # Toronto: EDT (UTC-4) until 1 Nov 2026, EST (UTC-5) after; back to EDT on 8 Mar 2026.
        ("America/Toronto", date(2026, 10, 30), utc(2026, 10, 30, 13, 30)),
        ("America/Toronto", date(2026, 11, 2), utc(2026, 11, 2, 14, 30)),
        ("America/Toronto", date(2026, 3, 6), utc(2026, 3, 6, 14, 30)),
        ("America/Toronto", date(2026, 3, 9), utc(2026, 3, 9, 13, 30)),
        # London: BST (UTC+1) until 25 Oct 2026; GMT from then; BST again from 29 Mar 2026.
        ("Europe/London", date(2026, 10, 23), utc(2026, 10, 23, 8, 30)),
        ("Europe/London", date(2026, 10, 26), utc(2026, 10, 26, 9, 30)),
        ("Europe/London", date(2026, 3, 27), utc(2026, 3, 27, 9, 30)),
        ("Europe/London", date(2026, 3, 30), utc(2026, 3, 30, 8, 30)),
        # Kolkata: UTC+5:30 all year, no DST.
        ("Asia/Kolkata", date(2026, 3, 30), utc(2026, 3, 30, 4, 0)),
        ("Asia/Kolkata", date(2026, 11, 2), utc(2026, 11, 2, 4, 0)),
    ],
)
def test_the_local_time_is_the_same_wall_clock_minute_on_both_sides_of_dst(zone, day, expected):
    assert local_instant(day, time(9, 30), zone) == expected


def test_a_time_skipped_by_spring_forward_happens_just_after_the_gap():
    # 8 Mar 2026 in Toronto: 02:00 jumps to 03:00, so 02:30 does not exist.
    assert local_instant(date(2026, 3, 8), time(2, 30), "America/Toronto") == utc(2026, 3, 8, 7, 30)


def test_a_time_repeated_by_fall_back_happens_once_the_first_time():
    # 1 Nov 2026 in Toronto: 01:30 happens twice; the first is EDT (UTC-4).
    found = occurrences(
        plan(("America/Toronto",), at=time(1, 30), weekdays=range(1, 8)),
        utc(2026, 11, 1, 0, 0),
        utc(2026, 11, 2, 0, 0),
    )
    assert [o.at for o in found] == [utc(2026, 11, 1, 5, 30)]


def test_each_zone_gets_its_own_occurrence_at_its_local_minute():
    zones = ("America/Toronto", "Europe/London", "Asia/Kolkata")
    found = occurrences(plan(zones), utc(2026, 11, 26, 12, 0), utc(2026, 11, 27, 23, 59))
    assert [(o.at, o.key) for o in found] == [
        (utc(2026, 11, 26, 14, 30), "2026-11-26/prompt/America/Toronto"),
        (utc(2026, 11, 27, 4, 0), "2026-11-27/prompt/Asia/Kolkata"),
        (utc(2026, 11, 27, 9, 30), "2026-11-27/prompt/Europe/London"),
        (utc(2026, 11, 27, 14, 30), "2026-11-27/prompt/America/Toronto"),
    ]


def test_the_day_is_the_local_day_even_when_utc_is_already_tomorrow():
    found = occurrences(
        plan(("Pacific/Auckland",), at=time(8, 0)),
        utc(2026, 11, 26, 0, 0),
        utc(2026, 11, 27, 0, 0),
    )
    # 08:00 Friday 27 Nov in Auckland (UTC+13) is 19:00 Thursday in UTC.
    assert [(o.day, o.at) for o in found] == [(date(2026, 11, 27), utc(2026, 11, 26, 19, 0))]


def test_weekends_and_holidays_have_no_occurrence():
    found = occurrences(
        plan(holidays={date(2026, 12, 25)}), utc(2026, 12, 21, 0, 0), utc(2026, 12, 28, 0, 0)
    )
    assert [o.day.isoformat() for o in found] == [
        "2026-12-21",
        "2026-12-22",
        "2026-12-23",
        "2026-12-24",
    ]


def test_the_window_is_open_at_its_start_and_closed_at_its_end():
    at = utc(2026, 11, 27, 9, 30)
    assert occurrences(plan(), at, at + timedelta(hours=1)) == []
    assert [o.at for o in occurrences(plan(), at - timedelta(seconds=1), at)] == [at]


def test_next_occurrence_skips_to_monday_after_friday():
    upcoming = next_occurrence(plan(per_zone=False), utc(2026, 11, 27, 9, 30))
    assert upcoming is not None
    assert (upcoming.at, upcoming.key) == (utc(2026, 11, 30, 9, 30), "2026-11-30/prompt")


def test_a_plan_without_days_never_occurs():
    assert next_occurrence(plan(weekdays=()), utc(2026, 11, 27)) is None


def test_keys_read_back():
    assert parse_key("2026-11-27/prompt/America/Toronto") == (
        date(2026, 11, 27),
        "prompt",
        "America/Toronto",
    )
    assert parse_key("2026-11-27/post") == (date(2026, 11, 27), "post", None)


def test_a_step_past_midnight_lands_on_the_next_day():
    assert at_plus(time(23, 30), 60) == (time(0, 30), 1)
    steps = (Step("prompt", time(23, 30)), Step("remind", time(0, 30), days_after=1))
    found = occurrences(
        Plan(weekdays=frozenset({5}), zones=("UTC",), steps=steps),
        utc(2026, 11, 27),
        utc(2026, 11, 29),
    )
    assert [(o.step, o.day, o.at) for o in found] == [
        ("prompt", date(2026, 11, 27), utc(2026, 11, 27, 23, 30)),
        ("remind", date(2026, 11, 27), utc(2026, 11, 28, 0, 30)),
    ]
