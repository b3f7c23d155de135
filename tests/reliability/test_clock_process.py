"""`ritualbot clock` as its own process: it delivers what was missed, then stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, time
from pathlib import Path

from tests.conftest import ALICE, BOB, CAROL, CHANNEL, SIGNING_SECRET, TEAM
from tests.support.standup import half_an_hour_ago, make_standup, prompts

ROOT = Path(__file__).resolve().parents[2]


def clock_process(emulator, database_url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SLACK_BOT_TOKEN": emulator.workspace(TEAM).bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": emulator.api_url,
        "DATABASE_URL": database_url,
        "PYTHONUNBUFFERED": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "runtime.cli", "clock"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def wait_started(clock: subprocess.Popen) -> None:
    """Read its output up to the line saying the clock runs (and its signal handlers are set)."""
    assert clock.stdout is not None
    seen = []
    for raw in clock.stdout:
        seen.append(raw.decode())
        if "ritual clock running" in seen[-1]:
            return
    raise AssertionError("the clock stopped before running:\n" + "".join(seen))


def test_two_clock_processes_deliver_a_missed_standup_once_and_stop_cleanly(
    db, emulator, database_url
):
    missed, zone = half_an_hour_ago(datetime.now(UTC))
    make_standup(
        db,
        emulator,
        team_id=TEAM,
        channel_id=CHANNEL,
        owner=ALICE,
        rule="team",
        zone=zone,
        at=missed,
        cutoff=time(23, 59),
        reminder=None,
        weekdays=(1, 2, 3, 4, 5, 6, 7),
    )
    clocks = [clock_process(emulator, database_url) for _ in range(2)]
    try:
        for clock in clocks:
            wait_started(clock)
        emulator.wait_for(
            lambda: all(prompts(emulator, p) for p in (ALICE, BOB, CAROL)), timeout=30
        )
    finally:
        for clock in clocks:
            clock.send_signal(signal.SIGTERM)
        outputs = [clock.communicate(timeout=30)[0].decode() for clock in clocks]
    assert [clock.returncode for clock in clocks] == [0, 0], outputs
    assert [len(prompts(emulator, p)) for p in (ALICE, BOB, CAROL)] == [1, 1, 1]
    parents = [m for m in emulator.messages(CHANNEL) if m.text.startswith("Standup ·")]
    assert len(parents) == 1
