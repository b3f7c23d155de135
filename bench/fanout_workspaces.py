"""bench fanout_workspaces: one morning's standups in 200 workspaces of 50 people, sent by
1 and by 3 clock processes sharing one database, and by 3 with one killed midway.

Each workspace has its own token and the emulator enforces Slack's limits per workspace
and method (windows shortened by --scale). Every standup is due at one instant. Each
clock process (bench/fanout_clock.py) starts before it, as a clock runs before 09:30 in
production, and its start-up is printed apart; at the instant it runs
`RitualScheduler.fire_due` (the run's claim decides which process runs each standup,
sending as the runs queue), then sweeps the outbox until nothing is left, its clock
running at the emulator's speed (scale x real time), with `fire_due` again every minute
of it. So a killed process's claims are looked for in Slack, and sent if Slack has not
got them, and its unfinished standup runs run again, once its 30-second lease has run
out (storage.claimers), as in production.

Slack's limits set no floor here (51 posts a workspace fit in one window of 300), so the
figure beside each run is a baseline from the same run: the case's own posts (the same
text, blocks and metadata, as the emulator recorded them) sent again straight from the
same clients, a workspace at a time on 8 threads, no database. Printed: prompts
delivered, duplicates, losses, each process's share, wall time and its ratio to the
baseline (bar: 1.2x, 1.5x with a process killed).

    python bench/fanout_workspaces.py [--workspaces 200] [--people 50] [--scale 5]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python bench/fanout_workspaces.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import json
import os
import signal
import subprocess
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime

from bench.fanout import database
from bot.ids import ActionId
from bot.schedule import local_instant
from bot.standup import service as standups
from bot.standup import settings as standup_settings
from jobs import roster
from runtime.config import load
from runtime.slack_api import job_client
from sandbox.emulator import SlackEmulator
from storage.db import Database

ROOT = Path(__file__).resolve().parents[1]
# One clock process, its own script: it imports what a clock does, not the emulator.
CLOCK = Path(__file__).with_name("fanout_clock.py")
BAR, BAR_KILLED = 1.2, 1.5
DAY = date(2026, 12, 14)  # a Monday; nothing here reads today's date


def teams(count: int) -> list[str]:
    return [f"T{n:07d}" for n in range(count)]


def channel(team: str) -> str:
    """Each workspace's standup channel (the emulator's ids are global, as Slack's are)."""
    return f"C{team[1:]}"


def people(team: str, count: int) -> list[str]:
    return [f"U{team[1:]}{n:03d}" for n in range(count)]


def world(slack: SlackEmulator, *, workspaces: int, size: int) -> dict[str, str]:
    """The workspaces in the emulator; each one's bot token."""
    tokens = {}
    for team in teams(workspaces):
        tokens[team] = slack.add_workspace(team_id=team, name=f"Lab {team}").bot_token
        members = people(team, size)
        for user in members:
            slack.add_user(team_id=team, user_id=user, name=user.lower())
        slack.add_channel(team_id=team, channel_id=channel(team), name="standup", members=members)
    return tokens


def standups_in(db: Database, slack: SlackEmulator, tokens: dict[str, str]) -> datetime:
    """A standup in each workspace, its roster read; the instant they are all due."""
    settings = load({"SLACK_API_URL": slack.api_url})
    draft = standup_settings.SettingsDraft(
        weekdays=[str(DAY.isoweekday())],
        local_time="09:30",
        timezone_rule="team",
        timezone="UTC",
        participants_rule="channel",
        participants=[],
        questions="\n".join(standups.DEFAULT_QUESTIONS),
        reminder_minutes="0",
        cutoff_time="17:00",
        holidays="",
    )
    for team, token in tokens.items():
        with db.transaction() as session:
            record = standup_settings.save(
                session,
                team_id=team,
                channel_id=channel(team),
                user_id=f"U{team[1:]}000",
                draft=draft,
            )
        roster.sync(db=db, client=job_client(settings, token=token), record=record)
    return local_instant(DAY, record.local_time, "UTC")


def run(args: argparse.Namespace, *, processes: int, kill: bool) -> dict:
    """One case on a fresh database and a fresh emulator."""
    db, cleanup = database()
    with SlackEmulator(signing_secret="bench") as slack, tempfile.TemporaryDirectory() as tmp:
        tokens = world(slack, workspaces=args.workspaces, size=args.people)
        due = standups_in(db, slack, tokens)
        (Path(tmp) / "tokens.json").write_text(json.dumps(tokens))
        url = db.engine.url.render_as_string(hide_password=False)
        slack.clear_calls()
        slack.set_rate_limits(enabled=True, scale=args.scale)
        command = [sys.executable, str(CLOCK), "--db", url, "--api", slack.api_url]
        command += ["--tokens", f"{tmp}/tokens.json", "--at", due.isoformat()]
        command += ["--scale", str(args.scale)]
        command += ["--launched", str(time.time())]
        clocks = [
            subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
            )
            for _ in range(processes)
        ]
        # Clocks run before their standups are due, as in production: each says when it is
        # up, and the due instant comes for all of them at once.
        startup = [float(c.stdout.readline()) for c in clocks]
        started = time.monotonic()
        for c in clocks:
            c.stdin.write("go\n")
            c.stdin.close()
        if kill:
            total = args.workspaces * (args.people + 1)
            while len(slack.calls("chat.postMessage")) < total // 3:
                time.sleep(0.05)
            clocks[0].send_signal(signal.SIGKILL)
        shares = [json.loads(c.stdout.read() or "{}") for c in clocks]
        for c in clocks:
            c.wait()
        wall = time.monotonic() - started
        prompts = Counter(
            user
            for team in tokens
            for user in people(team, args.people)
            for message in slack.messages(user)
            if any(
                e.get("action_id") == ActionId.STANDUP_OPEN
                for b in message.blocks
                for e in b.get("elements", [])
            )
        )
        settings = load({"SLACK_API_URL": slack.api_url})
        base = baseline(slack, settings, tokens)
    db.dispose()
    cleanup()
    expected = args.workspaces * args.people
    return {
        "processes": processes,
        "killed": kill,
        "delivered": sum(1 for n in prompts.values() if n >= 1),
        "duplicates": sum(n - 1 for n in prompts.values() if n > 1),
        "lost": expected - sum(1 for n in prompts.values() if n >= 1),
        "shares": [s.get("sent", 0) + s.get("found", 0) for s in shares],
        "startup": startup,
        "sending": [s.get("sending") for s in shares],
        "wall": wall,
        "baseline": base,
    }


def baseline(slack: SlackEmulator, settings, tokens: dict[str, str]) -> float:
    """The case's own posts again, straight from the same clients: each workspace's in the
    order it got them, a workspace at a time on 8 threads, no database."""
    posts = {
        team: [c.args for c in slack.calls("chat.postMessage", team_id=team)] for team in tokens
    }
    slack.set_rate_limits(enabled=True, scale=slack.limiter.scale)

    def one(team: str) -> None:
        client = job_client(settings, token=tokens[team])
        for args in posts[team]:
            client.chat_postMessage(**args)

    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, tokens))
    return time.monotonic() - started


def seconds(each: list[float | None]) -> str:
    """Each clock's figure, "-" for the killed one where it never said."""
    return " / ".join("-" if s is None else f"{s:.1f}" for s in each)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspaces", type=int, default=200)
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--scale", type=float, default=5.0, help="rate-limit windows / scale")
    args = parser.parse_args(argv)

    engine = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    expected = args.workspaces * args.people
    print(f"fanout_workspaces: {args.workspaces} workspaces x {args.people} people, {engine}")
    print(f"rate limits: Slack's, per workspace, windows scaled by 1/{args.scale:g}")
    results, meets = [], True
    for processes, kill in ((1, False), (3, False), (3, True)):
        r = run(args, processes=processes, kill=kill)
        bar = BAR_KILLED if kill else BAR
        ratio = r["wall"] / r["baseline"]
        fair = (
            processes == 1
            or kill
            or all(
                abs(share - expected / processes) <= 0.15 * expected / processes
                for share in r["shares"]
            )
        )
        ok = r["delivered"] == expected and r["duplicates"] == 0 and ratio <= bar and fair
        meets &= ok
        label = f"{processes} clock{'s' if processes > 1 else ''}" + (
            ", one killed" if kill else ""
        )
        print(
            f"{label:22} {r['delivered']}/{expected} prompted, {r['duplicates']} dup, "
            f"{r['lost']} lost, shares {r['shares']}, {r['wall']:.1f} s vs baseline "
            f"{r['baseline']:.1f} s = {ratio:.2f}x (bar {bar}x){'' if ok else '  SHORT'}"
        )
        print(
            f"{'':22} each clock up {seconds(r['startup'])} s after its launch (before the due "
            f"instant, not counted), sending {seconds(r['sending'])} s after it"
        )
        results.append(f"{label}: {ratio:.2f}x, {r['duplicates']} dup, {r['lost']} lost")
    verdict = "meets" if meets else "short of"
    print(
        f"bench fanout_workspaces: {'; '.join(results)} -> {verdict} 0 dup, 0 lost, "
        f"within {BAR}x ({BAR_KILLED}x killed) of the baseline, shares a third +-15%"
    )
    return 0 if meets else 1


if __name__ == "__main__":
    sys.exit(main())
