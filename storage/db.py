"""Engine and session set-up for SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

# Slack waits 3 seconds for an answer, and an answer saying "try again" must fit in them:
# how long a write waits for SQLite's one writer, held by another thread or process.
SQLITE_BUSY_MS = 2000
# How long work done after the ack waits for a busy database (Database.patiently).
PATIENCE = 30.0
# What a busy or unreachable database raises, where nothing was stored.
UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)
T = TypeVar("T")
# An execution option marking a read-only unit of work (Database.reading).
READ_ONLY = "ritualbot_read_only"
# What is left of SQLITE_BUSY_MS for SQLite's own wait, once a writer has waited its turn
# in this process (Database._turn): a write waits at most SQLITE_BUSY_MS in all.
_waited = threading.local()
# That wait is counted in steps of this many ms, rounded up: writers that waited a little
# get the same busy timeout, so a burst does not cost each write its own PRAGMA.
BUSY_STEP_MS = 250


class CommitUnknown(Exception):
    """The connection broke while the database was committing: the change may be stored or
    not, and only looking again can tell. Saying "nothing was saved" here would be a guess,
    and a retry on that word can store the same thing twice."""


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine tuned for many short request transactions."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_MS / 1000},
            **kwargs,
        )
        _tune_sqlite(engine)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=20,
        pool_timeout=2,
        # A database that is down must fail a request fast, inside Slack's 3 seconds.
        connect_args={"connect_timeout": 2},
        **kwargs,
    )


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN IMMEDIATE: a write lock taken at the
        # start avoids the deadlock two deferred transactions hit when both upgrade to write.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        reading = connection.get_execution_options().get(READ_ONLY, False)
        # A writer gets what its turn left of the busy timeout; a reader, all of it. Set
        # only when it changes (the pooled connection remembers what it was given).
        busy_ms = SQLITE_BUSY_MS if reading else getattr(_waited, "left_ms", None) or SQLITE_BUSY_MS
        given = connection.connection.info
        if given.get("busy_ms", SQLITE_BUSY_MS) != busy_ms:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={busy_ms}")
            given["busy_ms"] = busy_ms
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


class Database:
    """Hands out units of work; the caller of a service owns the transaction."""

    def __init__(self, engine: Engine):
        self.engine = engine
        # SQLite has one writer. Threads of this process take turns in arrival order instead
        # of in SQLite's busy handler, which sleeps and polls (1, 2, 5 … 100 ms) and lets a
        # writer that keeps missing its chance wait out the whole busy timeout.
        self._writer = WriterQueue() if engine.dialect.name == "sqlite" else None
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._readers = sessionmaker(
            engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
        )

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(make_engine(url))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error.

        Everything is flushed before the commit, so an error up to there means nothing was
        stored; a connection lost during the commit itself raises CommitUnknown.
        """
        with self._turn(), self._sessions() as session:
            unit = session.begin()
            try:
                yield session
                session.flush()
            except BaseException:
                unit.rollback()
                raise
            try:
                unit.commit()
            except (OperationalError, InterfaceError) as error:
                raise CommitUnknown(str(error)) from error

    def patiently(self, work: Callable[[Session], T], *, patience: float = PATIENCE) -> T:
        """`work` in a transaction, tried again while the database is busy or out of reach,
        for up to `patience` seconds: for work done after Slack's ack, where nobody waits on
        the answer and giving up would lose what the person sent. A failed try stored
        nothing; a commit whose outcome is unknown (CommitUnknown) is not tried again."""
        deadline = time.monotonic() + patience
        pause = 0.05
        while True:
            try:
                with self.transaction() as session:
                    return work(session)
            except UNAVAILABLE:
                if time.monotonic() + pause > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 1.0)

    @contextmanager
    def _turn(self) -> Iterator[None]:
        if self._writer is None:
            yield
            return
        started = time.monotonic()
        if not self._writer.acquire(timeout=SQLITE_BUSY_MS / 1000):
            busy = sqlite3.OperationalError("database is locked")
            raise OperationalError("BEGIN IMMEDIATE", {}, busy)
        waited_ms = int((time.monotonic() - started) * 1000)
        waited_steps = waited_ms // BUSY_STEP_MS + 1
        _waited.left_ms = max(1, SQLITE_BUSY_MS - waited_steps * BUSY_STEP_MS)
        try:
            yield
        finally:
            _waited.left_ms = None
            self._writer.release()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads only, which never waits for (or holds up) a writer.

        On SQLite it begins a plain deferred transaction, not BEGIN IMMEDIATE: in WAL mode
        readers and the one writer do not block each other.
        """
        with self._readers() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


class WriterQueue:
    """A lock handed over in arrival order. A plain lock lets whichever thread wakes first
    take it, so under a steady burst one writer can keep losing until its busy timeout runs
    out and its person is told to try again; here a writer waits only for those ahead."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._held = False
        self._waiting: deque[threading.Event] = deque()

    def acquire(self, timeout: float) -> bool:
        with self._guard:
            if not self._held:
                self._held = True
                return True
            turn = threading.Event()
            self._waiting.append(turn)
        if turn.wait(timeout):
            return True
        with self._guard:
            if turn.is_set():  # handed over as the wait ran out: it is ours now
                return True
            self._waiting.remove(turn)
            return False

    def release(self) -> None:
        with self._guard:
            if self._waiting:
                self._waiting.popleft().set()  # the next in line holds it from here
            else:
                self._held = False
