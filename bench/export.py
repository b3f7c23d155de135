"""Benchmark: `ritualbot export` of a workspace with 100 problems and 100,000 experiments
(each problem also shipped and watched for a year: 5,200 checks).

    python bench/export.py
    DATABASE_URL=postgresql://… python bench/export.py

Each format (json, csv, md) is written to a temporary directory, timed (the best of three),
then written again under tracemalloc for its peak memory (tracemalloc slows Python, so not
while timed). The
baseline, in the same run: a plain SELECT of the same rows (every column of the record
tables for the workspace, read into Python), timed and traced the same way.

Bar: memory flat (each format's peak under 50 MB and under a quarter of what it writes: a
batch of rows, not the workspace), and time within 5x the SELECT for JSON and CSV, within
10x for the Markdown notebooks (they also phrase every verdict, delta and ceiling).
"""

from __future__ import annotations

import sys
from pathlib import Path

# `python bench/NAME.py` puts bench/ on the path, not the repository: add it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import os
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bench.harness import database
from bot.export import bundle
from bot.export.records import KINDS
from runtime.export import opener
from storage.analyses import ErrorAnalysis, ErrorCategory
from storage.db import Database
from storage.experiments import Experiment, Outcome
from storage.problems import Decision, DecisionKind, MetricKind, Problem
from storage.watch import CheckOutcome, Retrain, WatchCheck, WatchPlan

TEAM = "T0BENCH"
PROBLEMS, EXPERIMENTS = 100, 100_000
ANALYSED = 20  # one experiment in this many has an error analysis
CHECKS = 52  # each problem was shipped a year ago and checked weekly since
PEAK_MB = 50.0
ROUNDS = 3
TIMES = {"json": 5.0, "csv": 5.0, "md": 10.0}
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
OUTCOMES = list(Outcome)


def seed(db: Database) -> None:
    """The workspace, inserted a thousand rows at a time."""
    with db.transaction() as session:
        session.execute(
            insert(Problem),
            [
                {
                    "team_id": TEAM,
                    "number": p,
                    "title": f"Problem {p}: recall on segment {p} is too low",
                    "statement": "Analysts cannot find the cases they need in time. " * 3,
                    "user_value": "Asked for in interviews; saves an hour a day.",
                    "feasibility": "Labels exist for six months; the risk is drift.",
                    "metric_name": "recall",
                    "metric_kind": MetricKind.PROPORTION,
                    "eval_size": 2000,
                    "baseline": 0.55,
                    "target": 0.62,
                    "owner_id": "U0OWNER",
                    "created_by": "U0OWNER",
                    "created_at": START,
                    "updated_at": START,
                }
                for p in range(1, PROBLEMS + 1)
            ],
        )
        ids = {n: id_ for n, id_ in session.execute(select(Problem.number, Problem.id))}
        session.execute(
            insert(Decision),
            [
                {
                    "team_id": TEAM,
                    "problem_id": ids[p],
                    "kind": DecisionKind.CONTINUE,
                    "rationale": "Still learning from each try; one more week.",
                    "decided_by": "U0OWNER",
                    "decided_at": START + timedelta(days=30),
                }
                for p in range(1, PROBLEMS + 1)
            ],
        )
        seed_watch(session, ids)
    per_problem = EXPERIMENTS // PROBLEMS
    for start in range(0, EXPERIMENTS, 1000):
        with db.transaction() as session:
            rows = []
            for n in range(start + 1, start + 1001):
                value = 0.5 + (n % 150) / 1000
                rows.append(
                    {
                        "team_id": TEAM,
                        "number": n,
                        "problem_id": ids[(n - 1) // per_problem + 1],
                        "hypothesis": f"Variant {n} catches more of the rare cases",
                        "approach": f"gradient boosting, depth {n % 12}, lr 0.{n % 9 + 1}",
                        "dataset": "events-v7",
                        "value": value,
                        "values": [value - 0.001, value + 0.001],
                        "eval_size": 2000,
                        "metrics": {"precision": 0.9},
                        "outcome": OUTCOMES[n % len(OUTCOMES)],
                        "run_url": f"https://wandb.ai/team/project/runs/{n:08x}",
                        "notes": "Trained on 4 GPUs in 40 minutes.",
                        "author_id": "U0AUTHOR",
                        "created_at": START + timedelta(minutes=n),
                        "updated_at": START + timedelta(minutes=n),
                    }
                )
            session.execute(insert(Experiment), rows)
            numbers = range(start + ANALYSED, start + 1001, ANALYSED)
            found = session.execute(
                select(Experiment.number, Experiment.id).where(
                    Experiment.team_id == TEAM, Experiment.number.in_(numbers)
                )
            )
            experiment_ids = {n: id_ for n, id_ in found}
            session.execute(
                insert(ErrorAnalysis),
                [
                    {
                        "team_id": TEAM,
                        "number": n // ANALYSED,
                        "experiment_id": experiment_ids[n],
                        "sample_size": 100,
                        "sample_method": "random misses",
                        "root_causes": "Rare cases lack labels",
                        "lessons": "Label the rare segment first",
                        "author_id": "U0AUTHOR",
                        "created_at": START + timedelta(minutes=n + 5),
                        "updated_at": START + timedelta(minutes=n + 5),
                    }
                    for n in numbers
                ],
            )
            analysis_ids = session.execute(
                select(ErrorAnalysis.id).where(
                    ErrorAnalysis.team_id == TEAM,
                    ErrorAnalysis.experiment_id.in_(experiment_ids.values()),
                )
            ).scalars()
            session.execute(
                insert(ErrorCategory),
                [
                    {"team_id": TEAM, "analysis_id": a, "position": i, "name": name, "count": c}
                    for a in analysis_ids
                    for i, (name, c) in enumerate((("rare segment", 60), ("label noise", 25)))
                ],
            )


def seed_watch(session: Session, ids: dict[int, int]) -> None:
    """Every problem shipped a year ago and watched since: a plan, its weekly checks and
    quarterly retrains."""
    shipped = START - timedelta(days=7 * CHECKS)
    plans = [
        {
            "team_id": TEAM,
            "problem_id": ids[p],
            "metric_name": "recall (production)",
            "shipped_value": 0.62,
            "alert_value": 0.05,
            "alert_relative": True,
            "check_every_days": 7,
            "retrain_every_days": 90,
            "owner_id": "U0OWNER",
            "shipped_at": shipped,
            "trained_at": shipped,
            "created_by": "U0OWNER",
        }
        for p in range(1, PROBLEMS + 1)
    ]
    session.execute(insert(WatchPlan), plans)
    plan_ids = list(session.scalars(select(WatchPlan.id).where(WatchPlan.team_id == TEAM)))
    checks, retrains = [], []
    for plan_id in plan_ids:
        for week in range(1, CHECKS + 1):
            checks.append(
                {
                    "team_id": TEAM,
                    "plan_id": plan_id,
                    "value": 0.62 - (week % 7) / 100,
                    "shifted": week % 13 == 0,
                    "note": "PSI 0.12 on the merchant features",
                    "outcome": CheckOutcome.WITHIN,
                    "checked_by": "U0OWNER",
                    "checked_at": shipped + timedelta(days=7 * week),
                }
            )
        retrains += [
            {
                "team_id": TEAM,
                "plan_id": plan_id,
                "retrained_by": "U0OWNER",
                "retrained_at": shipped + timedelta(days=90 * q),
            }
            for q in range(1, 5)
        ]
    session.execute(insert(WatchCheck), checks)
    session.execute(insert(Retrain), retrains)


def plain_select(db: Database, _out: Path) -> int:
    """The baseline: every column of the same rows, read into Python."""
    count = 0
    with db.reading() as session:
        for kind in KINDS:
            table = kind.table
            for _row in session.execute(select(table).where(table.c.team_id == TEAM)):
                count += 1
    return count


def exporter(form: str) -> Callable[[Database, Path], int]:
    def run(db: Database, out: Path) -> int:
        with db.reading() as session:
            written = bundle.write(
                session,
                team_id=TEAM,
                formats=(form,),
                exported_at=START,
                open_text=opener(out),
            )
        return sum((out / path).stat().st_size for path in written)

    return run


def measure(run: Callable[[Database, Path], int], db: Database) -> tuple[float, float, int]:
    """Seconds (the best of ROUNDS, untraced: the machine is shared), peak MB (traced), and
    what it returned."""
    times = []
    for _ in range(ROUNDS):
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            result = run(db, Path(out))
            times.append(time.perf_counter() - started)
    seconds = min(times)
    with tempfile.TemporaryDirectory() as out:
        tracemalloc.start()
        run(db, Path(out))
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return seconds, peak, result


def main() -> int:
    engine = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    with tempfile.TemporaryDirectory() as workdir, database(engine, workdir=Path(workdir)) as url:
        db = Database.from_url(url)
        started = time.perf_counter()
        seed(db)
        print(
            f"{engine}: seeded {PROBLEMS} problems, {EXPERIMENTS:,} experiments in "
            f"{time.perf_counter() - started:.1f}s"
        )
        plain_select(db, Path(workdir))  # untimed: warm the caches
        base_s, base_mb, rows = measure(plain_select, db)
        print(f"  plain SELECT  {base_s:6.2f} s  peak {base_mb:6.1f} MB  {rows:,} rows")
        figures, meets = [], True
        for form in ("json", "csv", "md"):
            seconds, peak, size = measure(exporter(form), db)
            ratio = seconds / base_s
            ok = peak < PEAK_MB and peak < size / 1e6 / 4 and ratio <= TIMES[form]
            meets = meets and ok
            print(
                f"  export {form:5}  {seconds:6.2f} s  peak {peak:6.1f} MB  wrote "
                f"{size / 1e6:6.1f} MB  {ratio:4.1f}x the SELECT  {'ok' if ok else 'SHORT'}"
            )
            figures.append(f"{form} {seconds:.2f} s ({ratio:.1f}x), peak {peak:.1f} MB")
        db.dispose()
    print(
        f"bench export: {engine} {'; '.join(figures)} (plain SELECT {base_s:.2f} s, peak "
        f"{base_mb:.1f} MB) -> {'meets' if meets else 'short of'} BAR peak < {PEAK_MB:.0f} MB "
        f"and < 1/4 of the output, time <= 5x the SELECT (json, csv), <= 10x (md)"
    )
    return 0 if meets else 1


if __name__ == "__main__":
    sys.exit(main())
