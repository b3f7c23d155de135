"""bench fanout: one standup for 2,000 people over 24 timezones, against Slack's rate limits.

The emulator enforces Slack's documented limits per method per workspace (users.list
20/min, conversations.members 20/min, chat.postMessage a few hundred a minute and 1/s
per channel), each window shortened by --scale. The scheduler is driven through the
day with fire_due at each timezone's 09:30. Printed: prompts delivered, duplicates,
losses, Web API calls by method, and wall time beside the floor the limits allow for
the calls the prompts need, and beside a baseline measured in the same run: a bare
loop posting as many messages with the same client (no database, no scheduler).

    python bench/fanout.py [--people 2000] [--scale 5]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python bench/fanout.py
"""

from __future__ import annotations

import sys
from pathlib import Path

# `python bench/NAME.py` puts bench/ on the path, not the repository: add it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import math
import os
import tempfile
import time
import uuid
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.ids import ActionId
from bot.schedule import local_instant
from bot.standup import service as standups
from bot.standup import settings as standup_settings
from jobs import roster
from runtime.clock import RitualScheduler
from runtime.config import load
from runtime.slack_api import job_client, web_client
from sandbox.emulator import SlackEmulator
from sandbox.ratelimits import POST_MESSAGE_PER_MINUTE, TIER_2
from storage import migrate
from storage.db import Database

TEAM, CHANNEL, OWNER = "T0BENCH", "C0STANDUP", "U00000000"
BAR = 1.2
PAGE = roster.PAGE
LIMITS = {
    "chat.postMessage": POST_MESSAGE_PER_MINUTE,
    "users.list": TIER_2,
    "conversations.members": TIER_2,
}
ZONES = (
    "Pacific/Pago_Pago", "Pacific/Honolulu", "America/Anchorage", "America/Los_Angeles",
    "America/Denver", "America/Chicago", "America/Toronto", "America/Halifax",
    "America/Sao_Paulo", "Atlantic/South_Georgia", "Atlantic/Azores", "Europe/London",
    "Europe/Paris", "Europe/Athens", "Europe/Moscow", "Asia/Dubai", "Asia/Karachi",
    "Asia/Kolkata", "Asia/Dhaka", "Asia/Bangkok", "Asia/Singapore", "Asia/Tokyo",
    "Australia/Sydney", "Pacific/Auckland",
)  # fmt: skip


def floor_seconds(calls: dict[str, int], scale: float) -> float:
    """The least wall time the limits allow: the k-th call in a method's sliding window
    of L per window can start no earlier than floor(k / L) windows in."""
    window = 60.0 / scale
    return max(math.floor((n - 1) / LIMITS[m]) * window for m, n in calls.items() if n > 0)


def database() -> tuple[Database, callable]:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        server = load({"DATABASE_URL": url}).database_url
        name = f"ritualbot_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        db = Database.from_url(make_url(server).set(database=name).render_as_string(False))

        def drop() -> None:
            db.dispose()
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

        migrate.upgrade(db.engine)
        return db, drop
    folder = tempfile.mkdtemp(prefix="ritualbot-bench-")
    db = Database.from_url(f"sqlite:///{folder}/bench.db")
    migrate.upgrade(db.engine)
    return db, db.dispose


def workspace(slack: SlackEmulator, people: int) -> list[str]:
    slack.add_workspace(team_id=TEAM, name="Bench Lab")
    users = [f"U{n:08d}" for n in range(people)]
    for n, user in enumerate(users):
        slack.add_user(team_id=TEAM, user_id=user, name=f"p{n}", tz=ZONES[n % len(ZONES)])
    slack.add_channel(team_id=TEAM, channel_id=CHANNEL, name="standup", members=users)
    return users


def baseline(slack: SlackEmulator, client, channels: list[str]) -> float:
    """A bare loop posting one message to each channel, the client waiting out each 429."""
    slack.limiter.configure(enabled=True, scale=slack.limiter.scale)
    started = time.monotonic()
    for channel in channels:
        client.chat_postMessage(channel=channel, text="baseline")
    return time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--scale", type=float, default=5.0, help="rate-limit windows / scale")
    args = parser.parse_args(argv)

    db, cleanup = database()
    with SlackEmulator(signing_secret="bench") as slack:
        users = workspace(slack, args.people)
        settings = load({"SLACK_API_URL": slack.api_url})
        token = slack.workspace(TEAM).bot_token
        client = job_client(settings, token=token)
        day = date.today() + timedelta(days=7)
        draft = standup_settings.SettingsDraft(
            weekdays=[str(day.isoweekday())],  # one day, so the count is that day's prompts
            local_time="09:30",
            timezone_rule="participant",
            timezone="UTC",
            participants_rule="channel",
            participants=[],
            questions="\n".join(standups.DEFAULT_QUESTIONS),
            reminder_minutes="0",
            cutoff_time="17:00",
            holidays="",
        )
        with db.transaction() as session:
            record = standup_settings.save(
                session, team_id=TEAM, channel_id=CHANNEL, user_id=OWNER, draft=draft
            )
        clock = RitualScheduler(db=db, client_factory=lambda _team: client)
        instants = sorted({local_instant(day, record.local_time, zone) for zone in ZONES})

        slack.set_rate_limits(enabled=True, scale=args.scale)
        started = time.monotonic()
        roster.sync(db=db, client=client, record=record)
        for at in instants:
            clock.fire_due(at)
        wall = time.monotonic() - started

        counts = Counter(
            user
            for user in users
            for message in slack.messages(user)
            if any(
                e.get("action_id") == ActionId.STANDUP_OPEN
                for b in message.blocks
                for e in b.get("elements", [])
            )
        )
        calls = slack.calls()
        ok = Counter(c.method for c in calls if c.status == 200)
        limited = Counter(c.method for c in calls if c.status == 429)
        needed = {
            "chat.postMessage": len(users) + 1,  # a DM each, and the day's thread
            "users.list": math.ceil((len(users) + 1) / PAGE),
            "conversations.members": math.ceil((len(users) + 1) / PAGE),
        }
        floor = floor_seconds(needed, args.scale)
        slack.clear_calls()
        base = baseline(slack, web_client(settings, token=token), [CHANNEL, *users])
    cleanup()

    delivered = sum(1 for u in users if counts[u] >= 1)
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    losses = len(users) - delivered
    engine = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    print(f"fanout: {len(users)} participants over {len(ZONES)} timezones, {engine}")
    print(
        f"rate limits: Slack's, windows scaled by 1/{args.scale:g} (60 s -> {60 / args.scale:g} s)"
    )
    print(f"prompts delivered {delivered}/{len(users)}, duplicates {duplicates}, losses {losses}")
    for method in sorted(set(ok) | set(limited)):
        print(f"  {method:24} {ok[method]:5} ok  {limited[method]:4} answered 429")
    ratio = wall / floor if floor else float("inf")
    print(f"wall time {wall:6.1f} s   floor {floor:6.1f} s   ({ratio:.2f}x floor)")
    print(f"baseline  {base:6.1f} s   (bare loop, {needed['chat.postMessage']} posts, same limits)")
    meets = delivered == len(users) and duplicates == 0 and ratio <= BAR
    figures = (
        f"{delivered}/{len(users)} prompted, {duplicates} dup, {losses} lost, "
        f"{wall:.1f} s vs floor {floor:.1f} s = {ratio:.2f}x (baseline {base:.1f} s, scale {args.scale:g})"
    )
    print(
        f"bench fanout: {figures} -> {'meets' if meets else 'short of'} each once within {BAR}x floor"
    )
    return 0 if meets else 1


if __name__ == "__main__":
    sys.exit(main())
