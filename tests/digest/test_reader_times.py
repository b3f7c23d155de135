"""The digest's times, in each reader's own timezone: every moment it shows is a Slack date
token, with a UTC fallback, so Toronto and Kolkata each read their own day and time."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.conftest import ALICE, CHANNEL
from tests.digest.test_digest import digest
from tests.support.digest_week import seed_week
from tests.support.slack import posted, rendered, seen_by

NOW = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)  # a Friday evening in London
SLACK_DATE = re.compile(r"<!date\^(\d+)\^([^|>]+)\|([^>]*)>")
TIME_OF_DAY = re.compile(r"\b\d{1,2}:\d{2}\b")


@pytest.fixture
def friday() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


def moments(text: str) -> list[datetime]:
    return [datetime.fromtimestamp(int(m.group(1)), UTC) for m in SLACK_DATE.finditer(text)]


def test_the_posted_digest_shows_every_moment_as_a_date_token(bot, friday):
    with bot.runtime.db.transaction() as session:
        seed_week(session, now=NOW)

    digest(bot, "now")

    [message] = posted(bot.slack, CHANNEL)
    shown = rendered(message.args["blocks"])
    start, end = moments(shown)[:2]
    assert abs(end - NOW) < timedelta(minutes=1) and end - start == timedelta(days=7)
    # E-4, logged by Bob a day before, is owed an analysis since Thursday (UTC's day: 03 Dec).
    logged = int((NOW - timedelta(days=1)).timestamp())
    assert f"*E-4* on P-1 (worse, <!date^{logged}^{{date_short}}|03 Dec 2026>)" in shown
    assert "(worse, Dec 3, 2026) — <@U0BOB>" in seen_by(shown, "Asia/Kolkata")
    # Every time of day the digest shows is inside a date token, never a bare UTC one.
    assert not TIME_OF_DAY.search(SLACK_DATE.sub("", shown))


def test_the_window_reads_in_the_readers_own_hours(bot, friday):
    shown = rendered(digest(bot).body["blocks"])

    assert "Nov 27 at 12:00 – Dec 4 at 12:00" in seen_by(shown, "America/Toronto")
    assert "Nov 27 at 22:30 – Dec 4 at 22:30" in seen_by(shown, "Asia/Kolkata")


def test_schedule_says_when_the_next_one_goes_out_in_the_readers_time(bot, friday):
    answer = digest(bot, "schedule monday 09:00 europe/london", user=ALICE)

    said = answer.body["text"]
    monday = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    assert moments(said) == [monday]
    assert "every Monday at 09:00 (Europe/London). Next: Dec 7 at 04:00 your time." in seen_by(
        said, "America/Toronto"
    )
