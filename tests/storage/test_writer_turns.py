"""SQLite has one writer: a process's threads wait their turn for it, and none is refused
while the one ahead of them finishes; a wait past the busy timeout still fails fast."""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from storage.db import SQLITE_BUSY_MS, Database, WriterQueue
from storage.models import Workspace


@pytest.fixture
def sqlite_db(db: Database) -> Database:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has no single writer: its writers lock rows, not the file")
    return db


def hold_the_writer(db: Database, seconds: float, holding: threading.Event) -> None:
    with db.transaction() as session:
        session.add(Workspace(team_id="T-long"))
        session.flush()  # SQLite's write lock is taken at BEGIN IMMEDIATE; this writes too
        holding.set()
        time.sleep(seconds)


def test_many_threads_writing_at_once_are_all_stored_none_told_to_try_again(sqlite_db):
    """A burst of captures in one process: 32 threads, 20 writes each, each write taking a
    few milliseconds. Waiting in SQLite's busy handler, some writers kept missing the gaps
    and were refused after 2 s; taking turns, every write goes through."""
    db = sqlite_db

    def writer(n: int) -> None:
        for i in range(20):
            with db.transaction() as session:
                session.add(Workspace(team_id=f"T{n:02d}-{i:02d}"))
                session.flush()
                time.sleep(0.003)

    with ThreadPoolExecutor(32) as pool:
        list(pool.map(writer, range(32)))  # a refusal raises here

    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Workspace)) == 640


def test_a_writer_waiting_past_the_busy_timeout_is_told_the_database_is_busy(sqlite_db):
    db, holding = sqlite_db, threading.Event()
    long_one = threading.Thread(
        target=hold_the_writer, args=(db, SQLITE_BUSY_MS / 1000 + 0.5, holding)
    )
    long_one.start()
    assert holding.wait(5)

    started = time.monotonic()
    with pytest.raises(OperationalError, match="locked"), db.transaction() as session:
        session.add(Workspace(team_id="T-late"))
    waited = time.monotonic() - started
    long_one.join()

    assert SQLITE_BUSY_MS / 1000 - 0.1 <= waited < SQLITE_BUSY_MS / 1000 + 0.4


def test_a_write_waits_at_most_the_busy_timeout_in_all_for_its_turn_and_sqlites(sqlite_db):
    """Another process holds SQLite's writer (a backup, a migration). A thread that waited
    its turn in this process behind one stuck on that lock gets only what is left of the
    busy timeout: Slack's 3 seconds still hold for the "try again" answer."""
    db = sqlite_db
    other_process = sqlite3.connect(db.engine.url.database, isolation_level=None)
    other_process.execute("BEGIN EXCLUSIVE")

    def write(team_id: str) -> float:
        started = time.monotonic()
        with pytest.raises(OperationalError, match="locked"), db.transaction() as session:
            session.add(Workspace(team_id=team_id))
        return time.monotonic() - started

    try:
        with ThreadPoolExecutor(2) as pool:
            first = pool.submit(write, "T-first")
            time.sleep(0.2)
            second = pool.submit(write, "T-second")
            waits = first.result(), second.result()
    finally:
        other_process.execute("ROLLBACK")
        other_process.close()

    limit = SQLITE_BUSY_MS / 1000
    assert all(wait < limit + 0.5 for wait in waits), waits


def test_writers_get_their_turn_in_the_order_they_asked():
    """Under a steady burst a plain lock lets a late arrival overtake a writer that has been
    waiting, again and again, until the one left behind runs out of time; turns go in order."""
    queue, order = WriterQueue(), []
    assert queue.acquire(timeout=1)

    def write(name: str) -> None:
        assert queue.acquire(timeout=5)
        order.append(name)
        queue.release()

    writers = []
    for name in ("first", "second", "third"):
        writers.append(threading.Thread(target=write, args=(name,)))
        writers[-1].start()
        deadline = time.monotonic() + 5
        while len(queue._waiting) < len(writers) and time.monotonic() < deadline:
            time.sleep(0.001)
    queue.release()
    for writer in writers:
        writer.join(5)

    assert order == ["first", "second", "third"]


def test_a_writer_that_gives_up_does_not_hold_up_the_next():
    queue = WriterQueue()
    assert queue.acquire(timeout=1)
    assert not queue.acquire(timeout=0.05)  # gave up while the first held it
    queue.release()
    assert queue.acquire(timeout=0.05)  # nobody is left in line ahead of this one
