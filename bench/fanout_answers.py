"""bench fanout_answers: 2,000 people each answering the standup's four questions by
replying in the DM, against the production server.

A standup of 2,000 people is set up and prompted (its prompts sent to the Slack emulator,
run in this process with no rate limits: this measures the replies, bench/fanout.py the
limits). Then, question by question, each person's reply goes to `ritualbot run` (gunicorn,
as the Procfile's `web`) as a signed `message.im` event, 20 at a time; the same events go
to a bare Bolt app that only acks them, on the same server settings (bench/servers.py), as
the baseline of the same run. Each round waits until every reply of it is stored.

    python bench/fanout_answers.py [--people 2000] [--concurrency 20]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python bench/fanout_answers.py

Bar: the replies' ack p99 under 3 s (Slack's deadline), no non-200 answer, and every
person's answer posted exactly once in the day's thread.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `python bench/NAME.py` puts bench/ on the path, not the repository: add it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import json
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select

from bench import harness
from bench.load import Result, blast
from bot.standup import service as standups
from bot.standup import settings as standup_settings
from jobs import roster
from jobs import standup as job
from jobs.outbox import Sender
from runtime.config import load
from runtime.slack_api import job_client
from sandbox.emulator import SlackEmulator
from storage.db import Database
from storage.rituals import StandupAnswer, StandupConversation

TEAM, CHANNEL, OWNER = harness.TEAM, "C0STANDUP", "U00000000"
MAX_P99_MS = 3000.0
ROUND_TIMEOUT = 900


def workspace(slack: SlackEmulator, people: int) -> list[str]:
    slack.add_workspace(team_id=TEAM, name="Bench Lab")
    users = [f"U{n:08d}" for n in range(people)]
    for n, user in enumerate(users):
        slack.add_user(team_id=TEAM, user_id=user, name=f"p{n}", tz="UTC")
    slack.add_channel(team_id=TEAM, channel_id=CHANNEL, name="standup", members=users)
    return users


def noon_zone(now: datetime) -> str:
    """A fixed-offset zone where it is about noon now, so the standup's day runs from its
    09:30 prompt to its 23:59 cut-off around the whole bench, whatever the hour."""
    hours = 12 - now.astimezone(UTC).hour
    return f"Etc/GMT{-hours:+d}" if hours else "UTC"


def prompted_standup(db: Database, slack: SlackEmulator, client) -> str:
    """The day's standup, its prompts sent; the day it serves."""
    zone = noon_zone(datetime.now(UTC))
    draft = standup_settings.SettingsDraft(
        weekdays=[str(d) for d in range(1, 8)],
        local_time="09:30",
        timezone_rule="team",
        timezone=zone,
        participants_rule="channel",
        participants=[],
        questions="\n".join(standups.DEFAULT_QUESTIONS),
        reminder_minutes="0",
        cutoff_time="23:59",
        holidays="",
    )
    with db.transaction() as session:
        record = standup_settings.save(
            session, team_id=TEAM, channel_id=CHANNEL, user_id=OWNER, draft=draft
        )
    record = roster.sync(db=db, client=client, record=record)
    day = datetime.now(ZoneInfo(zone)).date()
    with db.transaction() as session:
        queued = job.queue_prompts(session, record=record, day=day, zone=None)
    Sender(db=db, client_for=lambda _team: client).send(queued.ids)
    return day.isoformat()


def replies(users: list[str], question: int, *, day: str) -> list[tuple[bytes, dict]]:
    """Each person's reply to question `question`, as Slack's signed `message.im` event."""
    now = time.time()
    prepared = []
    for n, user in enumerate(users):
        ts = f"{int(now) + question}.{n:06d}"
        event = {
            "type": "message",
            "channel_type": "im",
            "channel": f"D{user[1:]}",
            "user": user,
            "text": f"{day} answer {question + 1} of {user}",
            "ts": ts,
            "event_ts": ts,
            "client_msg_id": f"{user}-{question}",
        }
        envelope = {
            "token": "emulator-verification-token",
            "team_id": TEAM,
            "api_app_id": "A0EMULATOR",
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{question}{n:08d}",
            "event_time": int(now),
        }
        body = json.dumps(envelope).encode()
        prepared.append((body, harness.signed(body, "application/json")))
    return prepared


def heard(database_url: str, question: int) -> int:
    """How many people's conversations have taken reply `question` (0-based)."""
    db = Database.from_url(database_url)
    past = or_(StandupConversation.asking.is_(None), StandupConversation.asking > question)
    try:
        with db.reading() as session:
            return session.scalar(select(func.count()).where(past)) or 0
    finally:
        db.dispose()


def answers_stored(database_url: str) -> int:
    db = Database.from_url(database_url)
    try:
        with db.reading() as session:
            return session.scalar(select(func.count()).select_from(StandupAnswer)) or 0
    finally:
        db.dispose()


def posted(slack: SlackEmulator, users: list[str]) -> Counter[str]:
    """Each person's answers in the day's thread (by the reply text only they gave)."""
    [parent] = [m for m in slack.messages(CHANNEL) if m.text.startswith("Standup ·")]
    shown = [
        json.dumps(m.blocks)
        for m in slack.thread(CHANNEL, parent.ts)
        if m.ts != parent.ts and m.text.startswith("Standup from")
    ]
    wanted = {f"answer 4 of {u}": u for u in users}
    found: Counter[str] = Counter()
    for text in shown:
        for mark, user in wanted.items():
            if mark in text:
                found[user] += 1
                break
    return found


def measure(engine: str, args: argparse.Namespace, workdir: Path) -> dict[str, object]:
    log = workdir / "servers.log"
    workers = harness.web_workers(engine)
    with (
        SlackEmulator(signing_secret=harness.SECRET) as slack,
        harness.database(engine, workdir=workdir) as url,
    ):
        users = workspace(slack, args.people)
        client = job_client(load({"SLACK_API_URL": slack.api_url}), token=harness.TOKEN)
        db = Database.from_url(url)
        day = prompted_standup(db, slack, client)
        db.dispose()
        with (
            harness.server("bare", database_url=url, api_url=slack.api_url, log=log, workers=workers) as bare,
            harness.server(
                "ritualbot", database_url=url, api_url=slack.api_url, log=log, workers=workers
            ) as app,
        ):  # fmt: skip
            results = {"bare": Result(), "ritualbot": Result()}
            drains = []
            for question in range(4):
                batch = replies(users, question, day=day)
                results["bare"].merge(
                    blast(f"{bare.url}/slack/events", batch, concurrency=args.concurrency)
                )
                batch = replies(users, question, day=day)
                began = time.perf_counter()
                results["ritualbot"].merge(
                    blast(f"{app.url}/slack/events", batch, concurrency=args.concurrency)
                )
                harness.wait_until(
                    lambda q=question: heard(url, q) >= len(users), timeout=ROUND_TIMEOUT
                )
                drains.append(time.perf_counter() - began)
            harness.wait_until(
                lambda: sum(posted(slack, users).values()) >= len(users), timeout=ROUND_TIMEOUT
            )
            time.sleep(2)  # anything sent twice would show by now
            counts = posted(slack, users)
            stored = answers_stored(url)
    return {
        "results": results,
        "workers": workers,
        "drains": drains,
        "once": sum(1 for u in users if counts[u] == 1),
        "twice": sum(1 for u in users if counts[u] > 1),
        "missing": sum(1 for u in users if counts[u] == 0),
        "stored": stored,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    harness.add_engine_option(parser)
    args = parser.parse_args(argv)
    engines = harness.engines(args.engine)
    print(
        f"{args.people} people × 4 replies in the DM (message.im), concurrency "
        f"{args.concurrency}, `ritualbot run` and bare Bolt on gunicorn (bench/servers.py)"
    )
    summary, ok = [], True
    with tempfile.TemporaryDirectory(prefix="bench-answers-") as tmp:
        for engine in engines:
            figures = measure(engine, args, Path(tmp))
            bare, app = figures["results"]["bare"], figures["results"]["ritualbot"]
            print(f"\n{engine}: {figures['workers']} gunicorn worker(s) for both apps")
            print(
                f"  {'':10} {'replies':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-200':>8}"
            )
            for name, r in (("bare Bolt", bare), ("ritualbot", app)):
                print(
                    f"  {name:10} {r.count:8} {r.rps:8.0f} {r.p(0.5):8.1f} {r.p(0.99):8.1f} "
                    f"{r.non_200:8}"
                )
            drains = ", ".join(f"{d:.0f}" for d in figures["drains"])
            print(f"  each question's replies all stored after (s): {drains}")
            print(
                f"  answers stored {figures['stored']}; posted in the thread once "
                f"{figures['once']}, twice or more {figures['twice']}, "
                f"missing {figures['missing']}"
            )
            engine_ok = (
                app.p(0.99) < MAX_P99_MS
                and app.non_200 == 0
                and figures["once"] == args.people
                and figures["stored"] == args.people
            )
            ok = ok and engine_ok
            summary.append(
                f"{engine} p99 {app.p(0.99):.0f} ms (bare {bare.p(0.99):.0f} ms), "
                f"non-200 {app.non_200}, posted once {figures['once']}/{args.people}"
            )
    bar = f"BAR (reply ack p99 < {MAX_P99_MS:.0f} ms, 0 non-200, every answer posted once)"
    print(f"\nbench fanout_answers: {'; '.join(summary)} -> {'meets' if ok else 'short of'} {bar}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
