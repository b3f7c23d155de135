"""Benchmark: `/ritual search` over a workspace of 100,000 records, beside a LIKE scan.

    python bench/search.py                 # SQLite in a temp file
    DATABASE_URL=postgresql://… python bench/search.py  # a fresh database on that server

Seeds problems, experiments and error analyses (with categories) with realistic ML text
from a seeded RNG in bulk inserts, then times realistic 1-3 word queries through the
service layer (bot.search.service.search, one transaction each, as the handler runs it) and, on
the same data in the same run, a plain `LIKE '%word%'` scan of the same columns.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `python bench/NAME.py` puts bench/ on the path, not the repository: add it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, or_, select, text
from sqlalchemy.engine import make_url

from bench.search_corpus import ANALYSES, EXPERIMENTS, PROBLEMS, TEAM, seed
from bot.search import service as search
from storage import migrate
from storage.analyses import ErrorAnalysis
from storage.db import Database
from storage.experiments import Experiment
from storage.problems import Problem

BAR_MS = 50.0
ROUNDS = 5
# The LIKE scan takes about a second a query; two rounds give its percentiles well enough.
LIKE_ROUNDS = 2
QUERIES = [
    "label noise",
    "augmentation",
    "calibration drift",
    "learning rate warmup",
    "tokenizer",
    "class imbalance",
    "data leakage",
    "distribution shift",
    "focal loss",
    "hard negatives",
    "distillation",
    "overfitting",
    "cold start users",
    "ocr receipts",
    "churn",
    "recall",
    "latency p95",
    "duplicate images",
    "mislabeled",
    "ensemble",
    "contrastive pretraining",
    "retrieval reranker",
    "seasonality",
    "false positives fraud",
    "dropout",
    "batch size",
    "bert",
    "xgboost",
    "annotation guidelines",
    "stale features",
]


# Word pools for the generated text. Each pool is drawn Zipf-like (a few entries common,
# most rare), as a real team's vocabulary is: some words are in many records, most in few.
def fts(db: Database, query: str) -> int:
    with db.transaction() as session:
        return len(search.search(session, team_id=TEAM, text=query).found)


# The same columns the index covers, scanned with LIKE for any of the words.
LIKE_COLUMNS = {
    Problem: [Problem.title, Problem.statement, Problem.metric_name, Problem.data_sources],
    Experiment: [Experiment.hypothesis, Experiment.approach, Experiment.dataset, Experiment.notes],
    ErrorAnalysis: [
        ErrorAnalysis.root_causes,
        ErrorAnalysis.lessons,
        ErrorAnalysis.slices,
        ErrorAnalysis.next_steps,
    ],
}


def like_scan(db: Database, query: str) -> int:
    words = search.terms(query)
    found = 0
    with db.transaction() as session:
        for model, columns in LIKE_COLUMNS.items():
            match = or_(*(c.ilike(f"%{w}%") for c in columns for w in words))
            found += len(
                session.scalars(
                    select(model.id).where(model.team_id == TEAM, model.deleted_at.is_(None), match)
                ).all()
            )
    return found


def timed(run: Callable[[Database, str], int], db: Database, *, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        for query in QUERIES:
            started = time.perf_counter()
            run(db, query)
            times.append((time.perf_counter() - started) * 1000)
    return times


def percentiles(times: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return statistics.median(times), cuts[94]


@contextmanager
def database() -> Iterator[tuple[Database, str]]:
    server = os.environ.get("DATABASE_URL", "")
    if server.startswith("postgres"):
        server = server.replace("postgres://", "postgresql://", 1)
        if server.startswith("postgresql://"):
            server = server.replace("postgresql://", "postgresql+psycopg://", 1)
        name = f"ritualbot_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        db = Database.from_url(make_url(server).set(database=name).render_as_string(False))
        try:
            yield db, "PostgreSQL"
        finally:
            db.dispose()
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        return
    with tempfile.TemporaryDirectory() as directory:
        db = Database.from_url(f"sqlite:///{Path(directory) / 'bench.db'}")
        try:
            yield db, "SQLite"
        finally:
            db.dispose()


def main() -> int:
    with database() as (db, engine):
        migrate.upgrade(db.engine)
        seconds = seed(db)
        total = PROBLEMS + EXPERIMENTS + ANALYSES
        print(f"{engine}: seeded {total:,} records and their error categories in {seconds:.1f}s")
        # Untimed first passes warm the caches, as a running app would have them.
        shown = [fts(db, q) for q in QUERIES]
        breadth = sorted(like_scan(db, q) for q in QUERIES)
        print(
            f"{len(QUERIES)} queries; records holding any of the words: median "
            f"{breadth[len(breadth) // 2]:,}, max {breadth[-1]:,}; results shown per query: "
            f"{min(shown)}-{max(shown)}"
        )
        fts_p50, fts_p95 = percentiles(timed(fts, db, rounds=ROUNDS))
        like_p50, like_p95 = percentiles(timed(like_scan, db, rounds=LIKE_ROUNDS))
    print(
        f"  full-text search (service, {ROUNDS} rounds): p50 {fts_p50:7.1f} ms  p95 {fts_p95:7.1f} ms"
    )
    print(
        f"  LIKE '%word%' scan ({LIKE_ROUNDS} rounds):     p50 {like_p50:7.1f} ms  p95 {like_p95:7.1f} ms"
    )
    meets = fts_p95 <= BAR_MS
    print(
        f"bench search: {engine} {total:,} records, p50 {fts_p50:.1f} ms, p95 {fts_p95:.1f} ms "
        f"(LIKE scan p50 {like_p50:.1f} ms, p95 {like_p95:.1f} ms) -> "
        f"{'meets' if meets else 'short of'} BAR p95 <= {BAR_MS:.0f} ms"
    )
    return 0 if meets else 1


if __name__ == "__main__":
    sys.exit(main())
