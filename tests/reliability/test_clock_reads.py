"""The clock's one-minute pass reads without SQLite's writer: a write held elsewhere (a long
capture, a backup, a migration) does not stall standups and digests behind it."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import make_url

from runtime.clock import RitualScheduler
from tests.conftest import ALICE, CHANNEL, TEAM
from tests.support.standup import client_for, make_standup


def test_the_clocks_pass_reads_while_another_process_holds_the_writer(db, emulator, database_url):
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        pytest.skip("PostgreSQL has no single writer to hold")
    make_standup(db, emulator, team_id=TEAM, channel_id=CHANNEL, owner=ALICE, reminder=None)
    monday = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
    clock = RitualScheduler(
        db=db, client_factory=lambda _team: client_for(emulator, TEAM), now=lambda: monday
    )
    holder = sqlite3.connect(url.database, timeout=5, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        upcoming = clock.next_due(monday)
        posted = clock.sender.sweep()
        took = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert upcoming is not None and posted == 0
    assert took < 1.0  # a write would have waited out SQLite's busy timeout
