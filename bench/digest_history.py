"""A workspace for bench/digest.py: years of history (closed problems, their experiments,
analyses, decisions, standup runs and answers) and the same current week, bulk-inserted."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from typing import Any

from sqlalchemy import Engine, text

from storage.schema import metadata

TEAM, CHANNEL = "T0BENCH", "C0ML"
OTHER_CHANNELS = ("C0NLP", "C0VISION", "C0INFRA")
PEOPLE = [f"U0{n:04d}" for n in range(12)]
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
HISTORY_YEARS = 3
OUTCOMES = ("met_target", "improved", "no_gain", "worse", "broken")
FAILED = {"no_gain", "worse", "broken"}
BATCH = 20_000


class Ids:
    """Explicit primary keys, so child rows can point at parents without a round trip."""

    def __init__(self) -> None:
        self.last: dict[str, int] = {}

    def next(self, table: str) -> int:
        self.last[table] = self.last.get(table, 0) + 1
        return self.last[table]


def _problem(ids: Ids, rng: random.Random, *, at: datetime, status: str, channel: str) -> dict:
    pid = ids.next("problems")
    return {
        "id": pid,
        "team_id": TEAM,
        "number": pid,
        "title": f"Problem {pid}",
        "metric_name": "recall",
        "direction": "higher",
        "baseline": 0.6,
        "target": 0.75,
        "track": "delivery",
        "status": status,
        "owner_id": rng.choice(PEOPLE),
        "created_by": rng.choice(PEOPLE),
        "channel_id": channel,
        "review_on": (at + timedelta(days=90)).date(),
        "created_at": at,
        "updated_at": at,
    }


def _experiment(ids: Ids, rng: random.Random, *, problem_id: int, at: datetime) -> dict:
    eid = ids.next("experiments")
    return {
        "id": eid,
        "team_id": TEAM,
        "number": eid,
        "problem_id": problem_id,
        "value": round(rng.uniform(0.5, 0.8), 4),
        "metrics": {},
        "outcome": rng.choice(OUTCOMES),
        "approach": f"approach {eid}",
        "author_id": rng.choice(PEOPLE),
        "channel_id": CHANNEL,
        "created_at": at,
        "updated_at": at,
    }


def _analysis(ids: Ids, rng: random.Random, *, experiment: dict, at: datetime) -> dict:
    aid = ids.next("error_analyses")
    return {
        "id": aid,
        "team_id": TEAM,
        "number": aid,
        "experiment_id": experiment["id"],
        "lessons": f"lesson {aid}",
        "author_id": rng.choice(PEOPLE),
        "created_at": at,
        "updated_at": at,
    }


def _decision(ids: Ids, rng: random.Random, *, problem_id: int, at: datetime) -> dict:
    return {
        "id": ids.next("decisions"),
        "team_id": TEAM,
        "problem_id": problem_id,
        "kind": rng.choice(("continue", "pivot", "cut", "ship")),
        "rationale": "because",
        "decided_by": rng.choice(PEOPLE),
        "decided_at": at,
    }


def _ritual(ids: Ids, *, channel: str) -> dict:
    return {
        "id": ids.next("rituals"),
        "team_id": TEAM,
        "kind": "standup",
        "channel_id": channel,
        "weekdays": [1, 2, 3, 4, 5],
        "local_time": clock(9, 30),
        "timezone": "UTC",
        "timezone_rule": "team",
        "questions": ["What moved?", "Blockers?"],
        "participants_rule": "channel",
        "participants": [],
        "holidays": [],
        "enabled": True,
        "owner_id": PEOPLE[0],
        "created_at": NOW - timedelta(days=365 * HISTORY_YEARS),
        "updated_at": NOW - timedelta(days=365 * HISTORY_YEARS),
    }


def _run(ids: Ids, *, ritual_id: int, at: datetime) -> dict:
    rid = ids.next("ritual_runs")
    return {
        "id": rid,
        "team_id": TEAM,
        "ritual_id": ritual_id,
        "occurrence": f"{at:%Y-%m-%d}/{rid}",
        "scheduled_for": at,
        "state": "posted",
        "attempts": 1,
        "created_at": at,
        "updated_at": at,
    }


def _answer(ids: Ids, rng: random.Random, *, run_id: int, user: str, at: datetime) -> dict:
    return {
        "id": ids.next("standup_answers"),
        "team_id": TEAM,
        "run_id": run_id,
        "user_id": user,
        "answers": {"What moved?": "stuff", "Blockers?": rng.choice(["none", "", "GPU quota"])},
        "submitted_at": at,
    }


def history(records: int, ids: Ids, rng: random.Random) -> Iterator[tuple[str, list[dict]]]:
    """About `records` rows of closed history spread over the years before the week."""
    span = timedelta(days=365 * HISTORY_YEARS)
    oldest = NOW - timedelta(days=30) - span

    def when(fraction: float) -> datetime:
        return oldest + span * fraction

    n_problems = max(10, records // 100)
    per_problem = max(1, int(records * 0.82) // n_problems)
    rituals = [_ritual(ids, channel=c) for c in (CHANNEL, *OTHER_CHANNELS)]
    yield "rituals", rituals
    problems, experiments, analyses, decisions = [], [], [], []
    for n in range(n_problems):
        start = n / n_problems
        channel = CHANNEL if n % 2 else rng.choice(OTHER_CHANNELS)
        problem = _problem(
            ids,
            rng,
            at=when(start),
            status=rng.choice(("shipped", "dropped")),
            channel=channel,
        )
        problems.append(problem)
        for k in range(per_problem):
            at = when(start + (k + 1) / (n_problems * (per_problem + 1)))
            experiment = _experiment(ids, rng, problem_id=problem["id"], at=at)
            experiments.append(experiment)
            if experiment["outcome"] in FAILED and rng.random() < 0.3:
                analyses.append(_analysis(ids, rng, experiment=experiment, at=at))
        decisions.append(_decision(ids, rng, problem_id=problem["id"], at=when(start)))
        decisions.append(_decision(ids, rng, problem_id=problem["id"], at=when(start)))
        if len(experiments) >= BATCH:
            yield "problems", problems
            yield "experiments", experiments
            yield "error_analyses", analyses
            yield "decisions", decisions
            problems, experiments, analyses, decisions = [], [], [], []
    yield "problems", problems
    yield "experiments", experiments
    yield "error_analyses", analyses
    yield "decisions", decisions
    n_runs = max(4, records // 200)
    runs, answers = [], []
    for n in range(n_runs):
        ritual = rituals[n % len(rituals)]
        at = when(n / n_runs)
        run = _run(ids, ritual_id=ritual["id"], at=at)
        runs.append(run)
        for user in rng.sample(PEOPLE, 3):
            answers.append(_answer(ids, rng, run_id=run["id"], user=user, at=at))
    yield "ritual_runs", runs
    yield "standup_answers", answers


def current_week(ids: Ids, rng: random.Random) -> Iterator[tuple[str, list[dict]]]:
    """The week the digest covers, and the active problems' recent history."""
    week_start = NOW - timedelta(days=7)
    active = [
        _problem(ids, rng, at=NOW - timedelta(days=180), status=status, channel=CHANNEL)
        for status in ("open", "in_delivery") * 3
    ]
    yield "problems", active
    experiments, analyses = [], []
    for problem in active:
        for k in range(100):
            at = NOW - timedelta(days=170) + timedelta(days=160) * (k / 100)
            experiments.append(_experiment(ids, rng, problem_id=problem["id"], at=at))
    for k in range(50):
        at = week_start + timedelta(hours=3 * k + 1)
        experiments.append(_experiment(ids, rng, problem_id=active[k % 6]["id"], at=at))
    yield "experiments", experiments
    for experiment in experiments[-50:]:
        if experiment["outcome"] in FAILED and rng.random() < 0.5:
            analyses.append(_analysis(ids, rng, experiment=experiment, at=NOW - timedelta(hours=2)))
    yield "error_analyses", analyses
    yield (
        "decisions",
        [_decision(ids, rng, problem_id=p["id"], at=NOW - timedelta(days=2)) for p in active[:3]],
    )
    runs, answers = [], []
    standup_id = 1  # the CHANNEL ritual, inserted first by `history`
    for day in range(5):
        at = week_start + timedelta(days=day, hours=9)
        run = _run(ids, ritual_id=standup_id, at=at)
        runs.append(run)
        for user in PEOPLE[:6]:
            answers.append(_answer(ids, rng, run_id=run["id"], user=user, at=at))
    yield "ritual_runs", runs
    yield "standup_answers", answers


def _copy_value(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, dict | list) else value


def insert(engine: Engine, table: str, rows: list[dict]) -> None:
    """Bulk insert: COPY on PostgreSQL, executemany elsewhere."""
    if not rows:
        return
    columns = list(rows[0])
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            names = ", ".join(columns)
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([_copy_value(row[c]) for c in columns])
            raw.commit()
        finally:
            raw.close()
        return
    with engine.begin() as connection:
        connection.execute(metadata.tables[table].insert(), rows)


def seed(engine: Engine, records: int) -> tuple[int, int]:
    """Bulk-insert the history and the current week; how many rows of each."""
    rng = random.Random(48)
    ids = Ids()
    insert(engine, "workspaces", [{"team_id": TEAM, "name": "Bench", "created_at": NOW}])
    counts = []
    for source in (history(records, ids, rng), current_week(ids, rng)):
        count = 0
        for table, rows in source:
            insert(engine, table, rows)
            count += len(rows)
        counts.append(count)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            for table in ids.last:
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
            connection.execute(text("ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    return counts[0], counts[1]
