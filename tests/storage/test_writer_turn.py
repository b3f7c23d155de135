"""Processes writing one SQLite file take turns at its writer (storage.db.WriterTurn).

The web server's workers and the clock are processes forked from one parent, each
writing the same file. These tests always use a SQLite file, whatever the run's engine:
PostgreSQL has no single writer to take turns at.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path

from sqlalchemy import select

from bot import problems
from storage import migrate
from storage.db import Database
from storage.models import Problem

FORK = multiprocessing.get_context("fork")
WORKERS, THREADS, EACH = 3, 4, 20


def capture(db: Database, title: str) -> int:
    saved = db.together(
        problems.create_many,
        problems.NewProblem(
            team_id="T1",
            user_id="U1",
            channel_id="C1",
            draft=problems.ProblemDraft(title=title),
            source_key=f"command:{title}",
        ),
    )
    return saved.problem.number


def sqlite_database(tmp_path: Path) -> Database:
    db = Database.from_url(f"sqlite:///{tmp_path / 'shared.db'}")
    migrate.upgrade(db.engine)
    capture(db, "the parent's own capture, before the fork")  # it has used its turn
    return db


def hold_the_turn(db: Database, holding, released) -> None:
    db.engine.dispose(close=False)  # the parent's connections are the parent's
    with db.transaction():
        holding.set()
        time.sleep(0.5)
        released.value = time.monotonic()


def write_one(db: Database, holding, written) -> None:
    db.engine.dispose(close=False)
    holding.wait(10)
    capture(db, "from the second worker")
    written.value = time.monotonic()


def test_a_worker_writes_only_once_another_workers_write_is_over(tmp_path):
    db = sqlite_database(tmp_path)
    holding, released, written = FORK.Event(), FORK.Value("d", 0.0), FORK.Value("d", 0.0)
    first = FORK.Process(target=hold_the_turn, args=(db, holding, released))
    second = FORK.Process(target=write_one, args=(db, holding, written))
    first.start()
    second.start()
    first.join(20)
    second.join(20)

    assert first.exitcode == second.exitcode == 0
    # Both forked from a parent holding its own descriptor of the lock file: each opened
    # its own, or the second would have written in the middle of the first's transaction.
    assert written.value >= released.value > 0
    db.dispose()


def burst_from_a_worker(db: Database, worker: int) -> None:
    """THREADS request threads capturing at once; exits 1 if any capture failed."""
    db.engine.dispose(close=False)
    failed: list[BaseException] = []

    def thread(t: int) -> None:
        try:
            for i in range(EACH):
                capture(db, f"w{worker}-t{t}-{i}")
        except BaseException as error:
            failed.append(error)

    threads = [threading.Thread(target=thread, args=(t,)) for t in range(THREADS)]
    for one in threads:
        one.start()
    for one in threads:
        one.join()
    if failed:
        raise SystemExit(f"{len(failed)} thread(s) failed: {failed[0]!r}")


def test_workers_capturing_at_once_store_every_capture_under_its_own_number(tmp_path):
    db = sqlite_database(tmp_path)
    workers = [FORK.Process(target=burst_from_a_worker, args=(db, n)) for n in range(WORKERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)

    assert [worker.exitcode for worker in workers] == [0] * WORKERS  # none hit "busy"
    with db.reading() as session:
        numbers = session.scalars(select(Problem.number).where(Problem.team_id == "T1")).all()
    assert sorted(numbers) == list(range(1, WORKERS * THREADS * EACH + 2))
    db.dispose()
