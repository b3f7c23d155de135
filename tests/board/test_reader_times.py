"""The board's times, in each reader's own timezone, by the app's clock: its next rituals
never in the past, its decisions on the day each reader had them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from storage.types import run_on
from tests.board.test_board import board
from tests.conftest import ALICE, CAROL
from tests.digest.test_digest import digest
from tests.support.delivery import command, frame
from tests.support.slack import seen_by

MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
FRIDAY_DIGEST = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)  # Friday 16:00 in London (GMT)
NEXT_FRIDAY_DIGEST = FRIDAY_DIGEST + timedelta(days=7)
SLACK_DATE = re.compile(r"<!date\^(\d+)\^")


@pytest.fixture
def monday() -> Iterator[None]:
    with time_machine.travel(MONDAY, tick=True):
        yield


@pytest.fixture
def app_clock() -> Iterator[None]:
    """The app's clock, moved past Friday's digest while wall time stays on Monday (as
    `ritualbot sandbox` moves it when its page fast-forwards)."""
    run_on(lambda: FRIDAY_DIGEST + timedelta(minutes=1))
    yield
    run_on(None)


def next_rituals(bot, user: str) -> str:
    blocks = board(bot, user)["blocks"]
    heading = next(
        i
        for i, b in enumerate(blocks)
        if b["type"] == "header" and b["text"]["text"] == "Next rituals"
    )
    return blocks[heading + 1]["text"]["text"]


def token(at: datetime) -> str:
    return (
        f"<!date^{int(at.timestamp())}^{{date_short_pretty}} at {{time}}"
        f"|{at:%a %d %b} at {at:%H:%M} UTC>"
    )


def test_the_next_digest_shows_in_each_readers_own_time(bot, monday):
    digest(bot, "schedule friday 16:00 europe/london")

    shown = next_rituals(bot, ALICE)

    assert f"*Weekly digest* in <#C0ML>: {token(FRIDAY_DIGEST)}" in shown
    assert "Dec 4 at 11:00" in seen_by(shown, "America/Toronto")
    assert "Dec 4 at 21:30" in seen_by(shown, "Asia/Kolkata")


def test_once_its_time_has_passed_the_board_shows_the_following_one(bot, monday):
    digest(bot, "schedule friday 16:00 europe/london")

    with time_machine.travel(FRIDAY_DIGEST + timedelta(minutes=1), tick=True):
        shown = next_rituals(bot, ALICE)

    assert token(NEXT_FRIDAY_DIGEST) in shown
    assert token(FRIDAY_DIGEST) not in shown


def test_the_board_counts_from_the_apps_clock_not_the_wall_clock(bot, monday, app_clock):
    digest(bot, "schedule friday 16:00 europe/london")

    shown = next_rituals(bot, ALICE)

    upcoming = [datetime.fromtimestamp(int(e), UTC) for e in SLACK_DATE.findall(shown)]
    assert upcoming == [NEXT_FRIDAY_DIGEST]


def test_a_decision_shows_on_the_day_each_reader_had_it(bot):
    with time_machine.travel(datetime(2026, 11, 30, 20, 0, tzinfo=UTC), tick=True):
        frame(bot)
        command(bot, "/problem", "decide P-1 continue the last run was close")
        shown = str(board(bot, CAROL)["blocks"])

    assert "by <@U0ALICE> on Nov 30, 2026." in seen_by(shown, "America/Toronto")
    assert "by <@U0ALICE> on Dec 1, 2026." in seen_by(shown, "Asia/Kolkata")
