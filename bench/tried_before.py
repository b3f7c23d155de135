"""Benchmark: "tried before" after a capture, on bench/search.py's 100,000-record workspace.

    python bench/tried_before.py
    DATABASE_URL=postgresql://… python bench/tried_before.py

Times bot.search.alike.similar (a real match: two meaningful shared words or a phrase,
counted against the workspace, with the shared words marked) for 30 generated problem
texts, beside the baseline it replaced: the newest 500 records sharing any word, ranked,
the best three loaded. It runs in a capture's follow-up, after the ack; the bar is that
of /ritual search: p95 at most 50 ms.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `python bench/NAME.py` puts bench/ on the path, not the repository: add it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import random
import time
from collections.abc import Callable

from sqlalchemy.orm import Session

from bench import search as workspace
from bench import search_corpus as corpus
from bot.search import alike
from bot.search.service import load, terms
from storage import migrate
from storage import search as index

BAR_MS = 50.0
ROUNDS = 3
TEXTS = 30


def any_shared_word(session: Session, text: str) -> int:
    """The baseline: what "tried before" did before a match had to be real."""
    words = terms(text)
    ranked = index.hits(session, team_id=corpus.TEAM, terms=words, every=False, limit=3, recent=500)
    return len(load(session, team_id=corpus.TEAM, hits=ranked))


def real_match(session: Session, text: str) -> int:
    return len(alike.similar(session, team_id=corpus.TEAM, text=text))


def texts() -> list[str]:
    """New problems as people frame them: a system, what goes wrong, and a suspicion."""
    rng = random.Random(7)
    return [
        f"{rng.choice(corpus.DOMAINS)} {rng.choice(corpus.SHAPES)}\n"
        f"{rng.choice(corpus.CATEGORIES)} after {rng.choice(corpus.TECHNIQUES)}"
        for _ in range(TEXTS)
    ]


def timed(run: Callable[[Session, str], int], db, problems: list[str]) -> tuple[list[float], int]:
    times, found = [], 0
    for _ in range(ROUNDS):
        for text in problems:
            started = time.perf_counter()
            with db.reading() as session:
                found += run(session, text)
            times.append((time.perf_counter() - started) * 1000)
    return times, found // ROUNDS


def main() -> int:
    problems = texts()
    with workspace.database() as (db, engine):
        migrate.upgrade(db.engine)
        seconds = corpus.seed(db)
        print(f"{engine}: seeded 100,000 records in {seconds:.1f}s; {TEXTS} problem texts")
        for run in (any_shared_word, real_match):  # untimed: warm the caches
            timed(run, db, problems[:5])
        figures = {}
        for label, run in (("real match", real_match), ("any shared word", any_shared_word)):
            times, found = timed(run, db, problems)
            figures[label] = workspace.percentiles(times)
            p50, p95 = figures[label]
            print(f"  {label:16} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  suggestions {found}")
    p50, p95 = figures["real match"]
    base50, base95 = figures["any shared word"]
    meets = p95 <= BAR_MS
    print(
        f"bench tried_before: {engine} p50 {p50:.1f} ms, p95 {p95:.1f} ms (any shared word "
        f"p50 {base50:.1f} ms, p95 {base95:.1f} ms) -> {'meets' if meets else 'short of'} "
        f"BAR p95 <= {BAR_MS:.0f} ms"
    )
    return 0 if meets else 1


if __name__ == "__main__":
    sys.exit(main())
