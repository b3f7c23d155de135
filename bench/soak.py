"""Soak: minutes of steady mixed traffic against the production server on PostgreSQL.

Quick captures, `/problem list` and `show`, modal submissions and App Home opens, signed,
at a steady rate against ritualbot under gunicorn (bench/servers.py, the Procfile's
settings) with the Slack emulator in its own process. Every minute it prints the ack
latency p50/p99 and the server's RSS (master and workers); the first minute's figures are
the baseline the later ones are judged against.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python bench/soak.py
    python bench/soak.py --minutes 3 --rate 20     # SQLite when no DATABASE_URL

On a PostgreSQL server with autovacuum off (this machine's), the soak runs ANALYZE once a
minute in its place, and says so: production servers keep it on.

Bar: zero errors; no upward drift after the first two minutes (the last minute's p99 and
RSS within 1.2x the third's); RSS under 250 MB.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `python bench/NAME.py` puts bench/ on the path, not the repository: add it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import json
import os
import random
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlencode

import httpx
from sqlalchemy import create_engine, text

from bench import harness, load

RSS_MAX_MB, DRIFT_MAX = 250, 1.2


def submission(n: int) -> bytes:
    payload = {
        "type": "view_submission",
        "team": {"id": harness.TEAM, "domain": "ritual-lab"},
        "user": {"id": harness.USER, "username": "ada", "name": "ada", "team_id": harness.TEAM},
        "api_app_id": "A0EMULATOR",
        "token": "emulator-verification-token",
        "trigger_id": f"{uuid.uuid4().hex}.{int(time.time())}",
        "view": {
            "id": f"V{uuid.uuid4().hex[:12].upper()}",
            "type": "modal",
            "callback_id": "problem_modal",
            "team_id": harness.TEAM,
            "private_metadata": json.dumps({"channel": harness.CHANNEL, "problem": None}),
            "state": {
                "values": {
                    "title": {"value": {"type": "plain_text_input", "value": f"Soak form {n}"}},
                    "statement": {
                        "value": {"type": "plain_text_input", "value": "Who cannot do what."}
                    },
                    "baseline": {"value": {"type": "plain_text_input", "value": "0.61"}},
                    "target": {"value": {"type": "plain_text_input", "value": "0.70"}},
                    "direction": {
                        "value": {"type": "static_select", "selected_option": {"value": "higher"}}
                    },
                    "owner_id": {"value": {"type": "users_select", "selected_user": "U0002"}},
                }
            },
            "hash": "1.soak",
        },
        "response_urls": [],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def home_opened() -> bytes:
    return json.dumps(
        {
            "token": "emulator-verification-token",
            "team_id": harness.TEAM,
            "api_app_id": "A0EMULATOR",
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:10]}",
            "event_time": int(time.time()),
            "event": {"type": "app_home_opened", "user": harness.USER, "tab": "home"},
        }
    ).encode()


def request(n: int, api_url: str) -> tuple[str, bytes, str]:
    """The n-th request of the mix: 40% captures, 30% list/show, 15% forms, 15% Home."""
    roll = random.random()
    if roll < 0.40:
        return "capture", harness.command_body(f"Soak capture {n}", api_url=api_url), "form"
    if roll < 0.55:
        return "list", harness.command_body("list all", api_url=api_url), "form"
    if roll < 0.70:
        shown = f"show P-{random.randint(1, max(1, n // 3))}"
        return "show", harness.command_body(shown, api_url=api_url), "form"
    if roll < 0.85:
        return "form", submission(n), "form"
    return "home", home_opened(), "json"


def statistics_keeper(url: str) -> Callable[[], None] | None:
    """An ANALYZE to run once a minute where the server's autovacuum is off, else None.

    Autovacuum (on by default, and on every managed PostgreSQL) re-reads the planner's
    statistics as tables grow. A server with it off plans each query as for the empty
    tables of the soak's first second: the problem list became a scan and sort of every
    row instead of the newest 25 from an index, and its p99 grew with the table.
    """
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if connection.execute(text("SHOW autovacuum")).scalar() == "on":
            engine.dispose()
            return None

    def analyze() -> None:
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))

    return analyze


class Minute:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.by_kind: dict[str, list[float]] = {}
        self.errors: list[str] = []
        self.lock = threading.Lock()


def soak(
    args: argparse.Namespace, engine: str, workdir: Path
) -> list[tuple[float, float, float, int, int]]:
    types = {"form": "application/x-www-form-urlencoded", "json": "application/json"}
    rows = []
    with (
        harness.emulator() as api_url,
        harness.database(engine, workdir=workdir) as url,
        harness.server(
            "ritualbot",
            database_url=url,
            api_url=api_url,
            log=workdir / "server.log",
            workers=harness.web_workers(engine),
        ) as app,
    ):
        analyze = statistics_keeper(url) if engine == "postgresql" else None
        if analyze:
            print(
                "  autovacuum is off on this server: the soak runs ANALYZE once a minute in its place"
            )
        target = f"{app.url}/slack/events"
        interval = 1.0 / args.rate
        stop_at = time.monotonic() + 60 * args.minutes
        minute, minute_ends, n = Minute(), time.monotonic() + 60, 0
        pool_lock = threading.Semaphore(64)
        # Drop idle connections before gunicorn does (its keepalive is 2 s), so a request is
        # never sent on a connection the server is closing.
        limits = httpx.Limits(max_connections=64, keepalive_expiry=1.0)
        client = httpx.Client(timeout=3.0, limits=limits)

        def send(kind: str, body: bytes, content_type: str, bucket: Minute) -> None:
            start = time.perf_counter()
            try:
                answer = client.post(
                    target, content=body, headers=harness.signed(body, types[content_type])
                )
                failed = None if answer.status_code == 200 else f"{kind}: HTTP {answer.status_code}"
                if answer.status_code == 200 and "went wrong" in answer.text:
                    failed = f"{kind}: {answer.text[:80]}"
            except httpx.HTTPError as error:
                failed = f"{kind}: {type(error).__name__}"
            took = time.perf_counter() - start
            with bucket.lock:
                bucket.latencies.append(took)
                bucket.by_kind.setdefault(kind, []).append(took)
                if failed:
                    bucket.errors.append(failed)
            pool_lock.release()

        next_at = time.monotonic()
        while time.monotonic() < stop_at:
            now = time.monotonic()
            if now >= minute_ends:
                rows.append(close(minute, app, len(rows) + 1))
                minute, minute_ends = Minute(), minute_ends + 60
                if analyze:
                    threading.Thread(target=analyze, daemon=True).start()
            if now < next_at:
                time.sleep(min(next_at - now, 0.01))
                continue
            next_at += interval
            n += 1
            kind, body, content_type = request(n, api_url)
            pool_lock.acquire()
            threading.Thread(
                target=send, args=(kind, body, content_type, minute), daemon=True
            ).start()
        time.sleep(3.5)
        rows.append(close(minute, app, len(rows) + 1))
        client.close()
    return rows


def close(minute: Minute, app: harness.Server, number: int) -> tuple[float, float, float, int, int]:
    with minute.lock:
        latencies, errors = list(minute.latencies), list(minute.errors)
        by_kind = {kind: list(values) for kind, values in sorted(minute.by_kind.items())}
    row = (
        load.percentile(latencies, 0.5) * 1000,
        load.percentile(latencies, 0.99) * 1000,
        app.rss_mb(),
        len(latencies),
        len(errors),
    )
    print(
        f"  minute {number:2}: {row[3]:5} requests  p50 {row[0]:6.1f} ms  p99 {row[1]:6.1f} ms  "
        f"RSS {row[2]:5.0f} MB  errors {row[4]}" + (f"  e.g. {errors[0]}" if errors else ""),
        flush=True,
    )
    # Which kind of request a drift comes from: each kind's own p99 this minute.
    kinds = "  ".join(
        f"{kind} {load.percentile(values, 0.99) * 1000:.1f}" for kind, values in by_kind.items()
    )
    print(f"             p99 ms by kind: {kinds}", flush=True)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--rate", type=float, default=20.0, help="requests per second")
    args = parser.parse_args(argv)
    engine = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    print(
        f"soak: {args.minutes} min at {args.rate:g} req/s on {engine}, "
        f"{harness.web_workers(engine)} gunicorn worker(s) (mix: 40% captures, 30% list/show, "
        "15% forms, 15% Home)"
    )
    with tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp:
        rows = soak(args, engine, Path(tmp))
    full = [r for r in rows if r[3] > 0]
    errors = sum(r[4] for r in rows)
    peak = max(r[2] for r in rows)
    third = full[2] if len(full) >= 4 else full[0]
    last = full[-1]
    p99_drift, rss_drift = last[1] / third[1], last[2] / third[2]
    ok = errors == 0 and p99_drift <= DRIFT_MAX and rss_drift <= DRIFT_MAX and peak < RSS_MAX_MB
    figures = (
        f"{engine} {args.minutes} min at {args.rate:g} req/s, {errors} errors, "
        f"p99 last/third minute {last[1]:.0f}/{third[1]:.0f} ms ({p99_drift:.2f}x), "
        f"RSS last/third {last[2]:.0f}/{third[2]:.0f} MB ({rss_drift:.2f}x), peak RSS {peak:.0f} MB"
    )
    bar = "BAR (0 errors, last minute's p99 and RSS <= 1.2x the third's, RSS < 250 MB)"
    print(f"\nbench soak: {figures} -> {'meets' if ok else 'short of'} {bar}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
