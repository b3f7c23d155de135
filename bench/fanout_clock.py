"""One clock process of bench/fanout_workspaces.py: fire the due standups, then sweep the
outbox until nothing is left to send, and print what it sent.

It imports what `ritualbot clock` does (runtime/clock_process.py's part of the app), not
the bench's emulator or the Bolt app, so its start-up costs what a clock's does.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import json
import threading
import time
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import func, select

from jobs.lease import Lease
from runtime.clock import SWEEP_SECONDS, RitualScheduler
from runtime.config import load
from runtime.slack_api import job_client
from storage.claimers import HEARTBEAT
from storage.db import Database
from storage.outbox import OutboxMessage, OutboxState
from storage.rituals import RitualRun


def clock_process(args: argparse.Namespace) -> int:
    """One clock process: fire the due standups, then sweep until the outbox is empty."""
    settings = load({"SLACK_API_URL": args.api})
    tokens = json.loads(Path(args.tokens).read_text())
    clients = {team: job_client(settings, token=token) for team, token in tokens.items()}
    db = Database.from_url(args.db)
    due, started = datetime.fromisoformat(args.at), time.monotonic()

    def now() -> datetime:  # the world's time runs at the emulator's speed
        return due + timedelta(seconds=(time.monotonic() - started) * args.scale)

    # Renewed every HEARTBEAT of the world's time, as a clock process does.
    lease = Lease(db=db, clock=now, every=HEARTBEAT.total_seconds() / args.scale)
    clock = RitualScheduler(db=db, client_factory=clients.__getitem__, now=now, lease=lease)
    # The clock's job after each renewal of its lease, run by the loop below.
    renewed = threading.Event()
    lease.after_renewal = renewed.set
    sender, sent = clock.sender, Counter()
    send = sender.send
    outstanding(db)  # connected, as a running clock is
    print(f"{time.time() - args.launched:.3f}", flush=True)  # up: its start-up, in seconds
    sys.stdin.readline()  # the due instant
    started = time.monotonic()
    lease.start()
    times: dict[str, float] = {}  # seconds after the due instant it began to send

    def counted(*given, **named) -> int:  # this process's share, as the sender reports it
        times.setdefault("sending", time.monotonic() - started)
        sent["sent"] += (n := send(*given, **named))
        return n

    sender.send = counted  # type: ignore[method-assign]
    clock.fire_due(due)  # runs the standups this process claims, sending as they queue
    minute = time.monotonic()
    while outstanding(db):
        if time.monotonic() - minute >= SWEEP_SECONDS / args.scale:
            # The clock's sweep of every minute.
            clock.fire_due(now())
            minute = time.monotonic()
        elif renewed.is_set():
            renewed.clear()
            if clock.orphans():  # a dead clock's runs taken over at once, as a clock does
                clock.fire_due(now())
        before = sent["sent"]
        sent["found"] += sender.sweep() - (sent["sent"] - before)
        time.sleep(0.2)
    lease.stop()
    db.dispose()
    print(json.dumps(dict(sent) | times), flush=True)
    return 0


def outstanding(db: Database) -> int:
    """Messages still to send, or claimed by a process that may be dead, and standup runs
    not finished (a dead process's)."""
    with db.reading() as session:
        waiting = [OutboxState.PENDING, OutboxState.CLAIMED]
        messages = session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state.in_(waiting))
        )
        runs = session.scalar(
            select(func.count()).select_from(RitualRun).where(RitualRun.state != "done")
        )
        return messages + runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--api", required=True)
    parser.add_argument("--tokens", required=True, help="a JSON file: team id -> bot token")
    parser.add_argument("--at", required=True, help="when the standups are due (ISO 8601)")
    parser.add_argument("--scale", type=float, default=5.0, help="the world's speed")
    parser.add_argument("--launched", type=float, required=True, help="time.time() at launch")
    return clock_process(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
