"""Compose one channel's weekly digest over a workspace with a small and a large history.

    python bench/digest.py                 # SQLite, 10,000 and 1,000,000 records
    DATABASE_URL=postgresql://... python bench/digest.py
    python bench/digest.py --sizes 10000 100000

Each size gets a fresh database: years of history bulk-inserted (closed problems, their
experiments, analyses, decisions, standup runs and answers), then the same current week
(6 active problems with ~100 experiments each of history, 50 experiments this week).
Timed: load + compose + the Block Kit messages, median of repeated runs. The baseline is
the smallest size, measured in the same run. Bar: the largest size at most 200 ms and at
most 3x the baseline.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `python bench/NAME.py` puts bench/ on the path, not the repository: add it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import os
import statistics
import tempfile
import time
import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.digest_history import CHANNEL, NOW, TEAM, seed
from bot.digest import render
from bot.digest import service as digest
from runtime.config import load
from storage import migrate
from storage.db import Database

BAR_MS, BAR_RATIO = 200.0, 3.0


def compose_once(db: Database) -> int:
    with db.transaction() as session:
        composed = digest.week_ending(session, team_id=TEAM, channel_id=CHANNEL, end=NOW)
    messages = render.messages(composed)
    assert len(composed.results) == 50, len(composed.results)
    return len(messages)


def measure(db: Database, *, repeat: int) -> float:
    for _ in range(3):
        compose_once(db)
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        compose_once(db)
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


class Fresh:
    """A new empty database for one size: a SQLite file, or a database on the PG server."""

    def __init__(self, server: str | None):
        self.server = server
        self.folder = None if server else tempfile.TemporaryDirectory(prefix="bench-digest-")

    def __enter__(self) -> str:
        if self.server is None:
            assert self.folder is not None
            return f"sqlite:///{Path(self.folder.name) / 'bench.db'}"
        self.name = f"ritualbot_bench_{uuid.uuid4().hex[:8]}"
        self._admin(f'CREATE DATABASE "{self.name}"')
        return make_url(self.server).set(database=self.name).render_as_string(hide_password=False)

    def __exit__(self, *_exc: object) -> None:
        if self.server is None:
            assert self.folder is not None
            self.folder.cleanup()
        else:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def _admin(self, sql: str) -> None:
        admin = create_engine(self.server or "", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(sql))
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=25)
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    server = load({"DATABASE_URL": url}).database_url if url.startswith("postgres") else None
    engine_name = "postgresql" if server else "sqlite"
    results: list[tuple[int, float]] = []
    for size in args.sizes:
        with Fresh(server) as db_url:
            db = Database.from_url(db_url)
            migrate.upgrade(db.engine)
            began = time.perf_counter()
            past, week = seed(db.engine, size)
            seeded = time.perf_counter() - began
            median = measure(db, repeat=args.repeat)
            parts = compose_once(db)
            db.dispose()
        results.append((size, median))
        print(
            f"{engine_name}: {past:>9,} historical records + {week:,} this week "
            f"(seeded in {seeded:5.1f} s): "
            f"digest composed in {median:6.1f} ms (median of {args.repeat}), {parts} message(s)",
            flush=True,
        )
    (small, base), (large, worst) = results[0], results[-1]
    ratio = worst / base
    meets = worst <= BAR_MS and ratio <= BAR_RATIO
    print(
        f"bench digest: {engine_name} {small:,} records {base:.1f} ms (baseline), "
        f"{large:,} records {worst:.1f} ms, ratio {ratio:.2f}x "
        f"-> {'meets' if meets else 'short of'} BAR (<= {BAR_MS:.0f} ms and <= {BAR_RATIO:.0f}x)"
    )
    return 0 if meets else 1


if __name__ == "__main__":
    sys.exit(main())
