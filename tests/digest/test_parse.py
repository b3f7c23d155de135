"""`/digest` text parsing and the next scheduled post: pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from bot.digest import ritual as ds
from bot.errors import UsageError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ds.Preview()),
        ("  now ", ds.PostNow()),
        ("now FULL", ds.PostNow(full=True)),
        ("OFF", ds.TurnOff()),
        ("help", ds.Help()),
        ("schedule mon 9:05", ds.Schedule(1, time(9, 5), None)),
        ("schedule Sunday 23:59 asia/kolkata", ds.Schedule(7, time(23, 59), "Asia/Kolkata")),
        ("schedule th 00:00 UTC", ds.Schedule(4, time(0, 0), "UTC")),
    ],
)
def test_what_each_form_asks_for(text, expected):
    assert ds.parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "schedule s 09:00",  # saturday or sunday
        "schedule monday 24:00",
        "schedule monday 9:5",
        "schedule monday 09:00 Europe/Atlantis",
        "schedule monday 09:00 UTC extra",
        "schedule monday 09:00 ../../etc/passwd",
    ],
)
def test_bad_schedules_are_usage_errors_that_show_the_form(text):
    with pytest.raises(UsageError) as raised:
        ds.parse(text)
    assert "/digest schedule" in raised.value.message


def test_the_next_post_follows_the_local_clock_across_a_dst_change():
    ritual = ds.DigestRitual(
        id=1,
        team_id="T1",
        channel_id="C1",
        weekday=1,
        local_time=time(9, 0),
        timezone="Europe/London",
        enabled=True,
        owner_id="U1",
    )
    # Sunday 25 Oct 2026 is the day British Summer Time ends.
    before = datetime(2026, 10, 21, 12, 0, tzinfo=UTC)
    assert ritual.next_at(before).astimezone(UTC) == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)
    summer = datetime(2026, 10, 14, 12, 0, tzinfo=UTC)
    assert ritual.next_at(summer).astimezone(UTC) == datetime(2026, 10, 19, 8, 0, tzinfo=UTC)
