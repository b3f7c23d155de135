"""bench participation: the cost of honest participation at a standup's cut-off and in the
digest, for a standup of N people with four weeks of prompts, reminders and answers.

Printed, median of --repeat: the cut-off summary now (four weeks of prompts, answers and
time away, for the response rates) beside the baseline of what the summary read before
(the day's prompts and answers only), and the digest's four weeks of standup days.

    python bench/participation.py [--people 2000] [--repeat 5]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python bench/participation.py
"""

from __future__ import annotations

import sys
from pathlib import Path

# `python bench/NAME.py` puts bench/ on the path, not the repository: add it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

from bench.digest import Fresh
from bot.standup import answers, participation
from bot.standup.service import message_key
from runtime.config import load
from storage import migrate, outbox
from storage.db import Database
from storage.outbox import OutboxMessage, OutboxState
from storage.rituals import Ritual, RitualKind, RitualRun, StandupAnswer

TEAM, CHANNEL = "T0BENCH", "C0BENCH"
# The summary is posted once a day by the clock, the digest once a week: no person waits.
BAR_MS = 500
LAST = date(2026, 11, 27)


def seed(db: Database, people: int) -> int:
    """Four weeks of weekdays: everyone prompted, two in three answering, the rest reminded."""
    users = [f"U{n:06d}" for n in range(people)]
    created = datetime(2026, 10, 1, tzinfo=UTC)
    with db.transaction() as session:
        ritual = Ritual(
            team_id=TEAM,
            kind=RitualKind.STANDUP,
            channel_id=CHANNEL,
            local_time=clock_time(9, 30),
            cutoff_time=clock_time(17, 0),
            owner_id=users[0],
            roster=dict.fromkeys(users, "UTC"),
        )
        session.add(ritual)
        session.flush()
        ritual_id = ritual.id
    for offset in range(participation.RATE_DAYS):
        day = LAST - timedelta(days=offset)
        if day.isoweekday() > 5:
            continue
        queued = datetime.combine(day, clock_time(9, 30), UTC)
        with db.transaction() as session:
            run = RitualRun(
                team_id=TEAM,
                ritual_id=ritual_id,
                occurrence=answers.thread_key(day),
                scheduled_for=created,
            )
            session.add(run)
            session.flush()
            rows = []
            for n, user in enumerate(users):
                steps = ["prompt"] if n % 3 else ["prompt", "remind"]
                rows += [
                    {
                        "team_id": TEAM,
                        "what": "bench",
                        "channel": user,
                        "text": "",
                        "key": f"standup:{ritual_id}:{day.isoformat()}:{step}:{user}",
                        "state": OutboxState.SENT,
                        "attempts": 1,
                        "created_at": queued,
                    }
                    for step in steps
                ]
            session.execute(OutboxMessage.__table__.insert(), rows)
            session.execute(
                StandupAnswer.__table__.insert(),
                [
                    {
                        "team_id": TEAM,
                        "run_id": run.id,
                        "user_id": user,
                        "answers": {"Any blockers?": "none"},
                        "submitted_at": created,
                    }
                    for n, user in enumerate(users)
                    if n % 3
                ],
            )
    return ritual_id


def median_ms(do: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        do()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    server = load({"DATABASE_URL": url}).database_url if url.startswith("postgres") else None
    with Fresh(server) as db_url:
        db = Database.from_url(db_url)
        migrate.upgrade(db.engine)
        ritual_id = seed(db, args.people)
        roster = [f"U{n:06d}" for n in range(args.people)]

        def before() -> None:
            with db.reading() as session:
                prefix = message_key(ritual_id, LAST, "prompt") + ":"
                outbox.sent_keys(session, team_id=TEAM, prefix=prefix)
                answers.answers_of_day(session, team_id=TEAM, ritual_id=ritual_id, day=LAST)

        def summary() -> None:
            with db.reading() as session:
                answers.summary(session, team_id=TEAM, ritual_id=ritual_id, day=LAST, people=roster)

        def digest() -> None:
            with db.reading() as session:
                participation.of_channel(
                    session,
                    team_id=TEAM,
                    channel_id=CHANNEL,
                    first=participation.rate_window(LAST)[0],
                    last=LAST,
                )

        base = median_ms(before, args.repeat)
        now = median_ms(summary, args.repeat)
        weekly = median_ms(digest, args.repeat)
        db.dispose()
    engine = "postgresql" if server else "sqlite"
    meets = max(now, weekly) <= BAR_MS
    print(
        f"bench participation: {engine}, {args.people:,} people, 20 standup days: "
        f"cut-off summary {now:.0f} ms (baseline, the day alone: {base:.0f} ms), "
        f"digest's four weeks {weekly:.0f} ms (median of {args.repeat}) "
        f"-> {'meets' if meets else 'short of'} BAR (<= {BAR_MS} ms each)"
    )
    return 0 if meets else 1


if __name__ == "__main__":
    sys.exit(main())
