"""A watch ritual missed while no clock ran is caught up once, by the clock's start: each
due check is asked for by one DM, however many of its due days went by, and a clock
started again asks nothing twice."""

from __future__ import annotations

from datetime import datetime

import time_machine
from sqlalchemy import func, select

from runtime.clock import RitualScheduler
from storage.rituals import Ritual, RitualKind, RitualRun
from tests.conftest import ALICE, TEAM
from tests.support.delivery import command, frame, log
from tests.support.standup import client_for
from tests.support.watch import SHIPPED_AT, ship, utc

# Shipped Monday 4 Jan 2027 (UTC, the owner's zone here: no standup roster says otherwise).
# P-1 is checked weekly (due the 11th, then the 18th had it been answered), P-2 every three
# days (due the 7th): the clock is down until Tuesday the 19th, 15:00, five hours after
# that day's 10:00 run, inside the watch ritual's grace.
BACK_UP = utc(2027, 1, 19, 15, 0)
NEXT_DAY = utc(2027, 1, 20, 15, 0)


def ship_two(bot) -> None:
    ship(bot, SHIPPED_AT, "alert=0.78 check=weekly")
    with time_machine.travel(SHIPPED_AT, tick=False):
        frame(bot, "Precision on returns")
        log(bot, "P-2 0.91 gradient boosting")
        command(bot, "/problem", "decide P-2 ship beats target alert=0.85 check=3d")


def prompts(bot) -> dict[str, int]:
    """How many check prompts Alice got, by problem."""
    texts = [m.text for m in bot.slack.messages(ALICE)]
    return {ref: sum(t.startswith(f"Time to check {ref}") for t in texts) for ref in ("P-1", "P-2")}


def watch_runs_done(bot) -> int:
    with bot.runtime.db.reading() as session:
        return session.scalar(
            select(func.count(RitualRun.id))
            .join(Ritual, Ritual.id == RitualRun.ritual_id)
            .where(
                RitualRun.team_id == TEAM,
                Ritual.kind == RitualKind.WATCH,
                RitualRun.state == "done",
            )
        )


def start_clock(bot, *, at: datetime, runs_done: int) -> None:
    """A clock process started at `at` (its clock fixed there), stopped once its catch-up
    has run `runs_done` watch runs in all and its outbox sweep has finished."""
    client = client_for(bot.slack, TEAM)
    clock = RitualScheduler(db=bot.runtime.db, client_factory=lambda _team: client, now=lambda: at)
    clock.start()
    try:
        bot.slack.wait_for(lambda: watch_runs_done(bot) == runs_done)
    finally:
        clock.shutdown()  # waits for the running jobs
    clock.sender.sweep()  # what the catch-up queued after the start's sweep went by


def test_checks_missed_while_the_clock_was_down_are_asked_once_at_its_start(bot):
    ship_two(bot)
    assert prompts(bot) == {"P-1": 0, "P-2": 0}

    start_clock(bot, at=BACK_UP, runs_done=1)
    assert prompts(bot) == {"P-1": 1, "P-2": 1}
    posts = len(bot.slack.calls("chat.postMessage"))

    # Started again the next day: its run sees both checks still due, and asks neither again.
    start_clock(bot, at=NEXT_DAY, runs_done=2)

    assert prompts(bot) == {"P-1": 1, "P-2": 1}
    assert len(bot.slack.calls("chat.postMessage")) == posts
