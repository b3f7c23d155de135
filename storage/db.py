"""Engine and session set-up for SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as BusyTimeout
from sqlalchemy.orm import Session, sessionmaker

# Slack waits 3 seconds for an answer, and an answer saying "try again" must fit in them:
# how long a request waits for SQLite's single writer among this process's threads
# (WriterTurn), and how long SQLite waits for a writer outside our turns (busy_timeout).
SQLITE_LOCK_WAIT_SECONDS = 1.5
SQLITE_BUSY_MS = 1000
# An execution option marking a read-only unit of work (Database.reading).
READ_ONLY = "ritualbot_read_only"
# The most units of work one shared transaction takes (Database.together).
GROUP_MAX = 64
# Errors of the database itself, not of what was being written.
DATABASE_FAILING = (BusyTimeout, InterfaceError, OperationalError)

Item = TypeVar("Item")
Result = TypeVar("Result")


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
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


class WriterTurn:
    """SQLite's one writer, taken in turn by the threads of this process and by the other
    processes writing the same file (the web server's workers, the clock).

    Between processes the turn is an exclusive flock on a file beside the database
    (`<database>-writer`), waited for in the kernel, which wakes the waiter the moment the
    holder lets go. Left to SQLite, a writer finding the file locked sleeps 1, 2, 5, 10...
    ms before each new try: two gunicorn workers storing captures had a p99 of 72-77 ms,
    against 16-22 ms with this turn.

    Threads of one process queue on a lock, with a timeout; only the thread at its head
    waits for the file. That wait has no timeout of its own: the file is only ever held
    for one write transaction of ours, and the kernel lets go of it when its process dies.
    """

    def __init__(self, database: str | None):
        self._threads = threading.Lock()
        self._path = f"{database}-writer" if database and database != ":memory:" else None
        self._file = -1
        self._pid = 0

    def acquire(self, timeout: float) -> bool:
        if not self._threads.acquire(timeout=timeout):
            return False
        if self._path is not None:
            try:
                fcntl.flock(self._descriptor(), fcntl.LOCK_EX)
            except BaseException:
                self._threads.release()
                raise
        return True

    def release(self) -> None:
        if self._path is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
        self._threads.release()

    def _descriptor(self) -> int:
        """This process's own descriptor of the lock file. One inherited through a fork
        shares its lock with the parent's, and would exclude nothing between them."""
        if self._pid != os.getpid():
            assert self._path is not None
            self._file = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = os.getpid()
        return self._file


class Signal:
    """A one-shot wake-up for one waiting thread: a lock held until set.

    Cheaper than threading.Event, whose set() and wait() run Python-level condition code
    on every request of the hottest paths. set() may be called more than once.
    """

    __slots__ = ("_lock",)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lock.acquire()

    def set(self) -> None:
        with contextlib.suppress(RuntimeError):  # already set
            self._lock.release()

    def wait(self, timeout: float = -1) -> bool:
        """Whether it was set within `timeout` seconds (forever by default)."""
        return self._lock.acquire(timeout=timeout)


@dataclass(eq=False)
class _Waiting:
    """One item waiting for a shared transaction, and what became of it."""

    run: Callable[[Session, list[Any]], list[Any]]
    item: Any
    wake: Signal = field(default_factory=Signal)
    done: bool = False
    result: Any = None
    error: BaseException | None = None


class Database:
    """Hands out units of work; the caller of a service owns the transaction."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._readers = sessionmaker(
            engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
        )
        # SQLite has one writer at a time and every transaction here begins IMMEDIATE. Writers
        # queue for it on WriterTurn instead of in SQLite's busy handler, which sleeps in
        # steps of up to 100 ms and so turned lock waits into p99 spikes under load.
        self._writer = WriterTurn(engine.url.database) if engine.dialect.name == "sqlite" else None
        # Database.together: the units of work waiting, and whether a thread is running them.
        self._group = threading.Lock()
        self._waiting: list[_Waiting] = []
        self._leading = False
        # PostgreSQL writes a group in one statement outside a transaction (together()).
        self._autocommit = (
            sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"))
            if engine.dialect.name == "postgresql"
            else None
        )

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(make_engine(url))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        with self._turn(), self._sessions() as session, session.begin():
            yield session

    def together(self, run: Callable[[Session, list[Item]], list[Result]], item: Item) -> Result:
        """`run(session, [item])[0]`, in one write shared with what other threads of this
        process are waiting to write with the same `run` (a group commit), once committed.

        For the hottest small writes: a burst of them costs one turn at the writer, one
        commit, and one `run` over all the items waiting for the same `run`, not one of each
        per item. The first thread to arrive runs everything queued behind it; the rest
        sleep until their item is committed. If the shared write fails on an item, each
        item is run again alone, so a bad item fails only its own caller; so `run` must
        only touch the session, and return one result per item, in order. If it fails on the
        database itself (unreachable, busy), every caller waiting gets that error at once.

        On PostgreSQL a group of two or more runs outside a transaction (autocommit): BEGIN
        and COMMIT were two of its four round trips to the server, each one waited for by
        every thread queued behind it. So `run` must write a group in one statement, which
        writes all of it or, raising, none of it. An item run alone has a transaction.
        """
        waiting = _Waiting(run, item)
        with self._group:
            self._waiting.append(waiting)
            lead = not self._leading
            self._leading = True
        if not lead:
            waiting.wake.wait()  # set when its group has committed, or when it is to lead
            if waiting.done:
                return self._outcome(waiting)
        with self._group:
            # A group shares one `run`: the first waiting's, with those after it.
            group, rest = [], []
            for unit in self._waiting:
                if unit.run is waiting.run and len(group) < GROUP_MAX:
                    group.append(unit)
                else:
                    rest.append(unit)
            self._waiting = rest
        failed: BaseException | None = None
        try:
            failed = self._run_group(group)
        finally:
            with self._group:
                if failed is not None:
                    # The database is failing: those queued meanwhile would each wait for it
                    # in turn, past Slack's 3 s. They get the same answer now.
                    for unit in self._waiting:
                        unit.error = failed
                    group, self._waiting = group + self._waiting, []
                for unit in group:
                    unit.done = True
                    unit.wake.set()
                if self._waiting:
                    self._waiting[0].wake.set()  # the next to arrive leads the next group
                else:
                    self._leading = False
        return self._outcome(waiting)

    @staticmethod
    def _outcome(waiting: _Waiting) -> Any:
        if waiting.error is not None:
            raise waiting.error
        return waiting.result

    def _run_group(self, group: list[_Waiting]) -> BaseException | None:
        """All of `group` in one write, or each alone if that one fails; the database's
        error if it is the database that fails (then every unit has it)."""
        run = group[0].run
        try:
            with self._shared(len(group)) as session:
                results = run(session, [unit.item for unit in group])
        except DATABASE_FAILING as error:
            for unit in group:
                unit.error = error
            return error
        except Exception:  # each item is run again alone, and gets its own error
            results = None
        if results is not None:
            for unit, result in zip(group, results, strict=True):
                unit.result = result
            return None
        for at, unit in enumerate(group):
            try:
                with self.transaction() as session:
                    unit.result = unit.run(session, [unit.item])[0]
            except DATABASE_FAILING as error:
                for rest in group[at:]:
                    rest.error = error
                return error
            except Exception as error:  # raised in the unit's own caller
                unit.error = error
        return None

    @contextmanager
    def _shared(self, size: int) -> Iterator[Session]:
        """The session a group of `size` is written in (together())."""
        if self._autocommit is None or size < 2:
            with self.transaction() as session:
                yield session
            return
        with self._autocommit() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads only, which never waits for (or holds up) a writer.

        On SQLite it begins a plain deferred transaction, outside this process's writer
        turn: in WAL mode readers and the one writer do not block each other.
        """
        with self._readers() as session, session.begin():
            yield session

    @contextmanager
    def _turn(self) -> Iterator[None]:
        """The turn at SQLite's writer; a TimeoutError if this process's does not come soon."""
        if self._writer is None:
            yield
            return
        if not self._writer.acquire(timeout=SQLITE_LOCK_WAIT_SECONDS):
            raise BusyTimeout("SQLite is busy: no write turn within the wait")
        try:
            yield
        finally:
            self._writer.release()

    def dispose(self) -> None:
        self.engine.dispose()
