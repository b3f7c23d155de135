"""Ack latency of `/problem <title>` quick captures against the production server.

`ritualbot run` (stock gunicorn: gthread, 16 threads, WEB_CONCURRENCY workers, as the
Procfile's `web`) is loaded with signed quick captures at concurrency 20, and so is a bare
Bolt app that only acks, under the same gunicorn settings (bench/servers.py), with the Slack
emulator in its own process answering the card posts. SQLite always; PostgreSQL too when
DATABASE_URL points at a server.

    python bench/ack.py [--requests 3000] [--concurrency 20]    # or python -m bench.ack
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python bench/ack.py

Bar: throughput ≥ 0.5× the bare app's, p99 ≤ 2× the bare app's, no non-200 answer, and
as many problems stored (each with its channel card) as captures sent.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `python bench/NAME.py` puts bench/ on the path, not the repository: add it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import tempfile
import time
import uuid

from sqlalchemy import func, select

from bench import harness, load
from storage.db import Database
from storage.outbox_rows import OutboxMessage, OutboxState
from storage.problems import Problem

MIN_THROUGHPUT, MAX_P99 = 0.5, 2.0
ROUNDS = 2


def captures(count: int, *, api_url: str, run: str) -> list[tuple[bytes, dict]]:
    prepared = []
    for i in range(count):
        body = harness.command_body(f"Bench {run} capture {i} 🔥", api_url=api_url)
        prepared.append((body, harness.signed(body)))
    return prepared


def stored(database_url: str) -> tuple[int, int, int]:
    """Problems stored, those with their channel card, and messages still to send."""
    db = Database.from_url(database_url)
    try:
        with db.transaction() as session:
            total = session.scalar(select(func.count()).select_from(Problem)) or 0
            carded = (
                session.scalar(
                    select(func.count()).select_from(Problem).where(Problem.card_ts.is_not(None))
                )
                or 0
            )
            waiting = (
                session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.state.in_([OutboxState.PENDING, OutboxState.CLAIMED]))
                )
                or 0
            )
    finally:
        db.dispose()
    return total, carded, waiting


def settle(database_url: str, sent: int) -> float:
    """Wait for every captured problem's channel card (posted after the ack, or, for those a
    burst left out of the follow-ups, by the clock's outbox sweep, once a minute), then for
    the rest of the outbox (each problem's canvas, its card's update, what was tried
    before): a round must not load the next. How long the cards took, in seconds."""
    began = time.perf_counter()
    harness.wait_until(lambda: stored(database_url)[1] >= sent, timeout=180)
    cards = time.perf_counter() - began
    harness.wait_until(lambda: stored(database_url)[2] == 0, timeout=300)
    return cards


def measure(engine: str, args: argparse.Namespace, workdir: Path) -> dict[str, object]:
    log = workdir / "servers.log"
    workers = harness.web_workers(engine)
    with (
        harness.emulator() as api_url,
        harness.database(engine, workdir=workdir) as url,
        harness.server("bare", database_url=url, api_url=api_url, log=log, workers=workers) as bare,
        harness.server(
            "ritualbot", database_url=url, api_url=api_url, log=log, workers=workers
        ) as app,
    ):
        run = uuid.uuid4().hex[:6]
        sent = 0
        results = {"bare": load.Result(), "ritualbot": load.Result()}
        cpu = {"bare": 0.0, "ritualbot": 0.0}  # the workers' CPU seconds while measured
        drain = 0.0
        for target in (bare, app):
            warm = captures(args.warmup, api_url=api_url, run=f"{run}-warm-{target.kind}")
            load.blast(f"{target.url}/slack/events", warm, concurrency=args.concurrency)
        sent += args.warmup  # the bare app stores nothing
        settle(url, sent)
        per_round = args.requests // ROUNDS
        for round_ in range(ROUNDS):
            for target in (bare, app):
                batch = captures(per_round, api_url=api_url, run=f"{run}-{round_}-{target.kind}")
                before = target.cpu_seconds()
                results[target.kind].merge(
                    load.blast(f"{target.url}/slack/events", batch, concurrency=args.concurrency)
                )
                cpu[target.kind] += target.cpu_seconds() - before
                if target is app:
                    sent += per_round
                    # Cards follow the acks (handlers.follow_ups); time how long after the
                    # round's last ack, and let everything go out before the next round.
                    drain = max(drain, settle(url, sent))
        settle(url, sent)
        total, carded, _ = stored(url)
        rss = app.rss_mb()
    return {
        "results": results,
        "sent": sent,
        "stored": total,
        "carded": carded,
        "rss": rss,
        "workers": workers,
        "drain": drain,
        "cpu_ms": {kind: 1000 * seconds / results[kind].count for kind, seconds in cpu.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000, help="measured captures per app")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    harness.add_engine_option(parser)
    args = parser.parse_args(argv)
    engines = harness.engines(args.engine)

    summary, ok = [], True
    print(
        f"{args.requests} signed /problem captures per app after {args.warmup} warm-up, "
        f"concurrency {args.concurrency}, `ritualbot run` and bare Bolt, each on gunicorn "
        "gthread × 16 threads (bench/servers.py)"
    )
    with tempfile.TemporaryDirectory(prefix="bench-ack-") as tmp:
        for engine in engines:
            figures = measure(engine, args, Path(tmp))
            bare, app = figures["results"]["bare"], figures["results"]["ritualbot"]
            print(f"\n{engine}: {figures['workers']} gunicorn worker(s) for both apps")
            print(f"  {'':10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-200':>8}")
            for name, r in (("bare Bolt", bare), ("ritualbot", app)):
                print(f"  {name:10} {r.rps:8.0f} {r.p(0.5):8.1f} {r.p(0.99):8.1f} {r.non_200:8}")
            for name, r in (("bare Bolt", bare), ("ritualbot", app)):
                if r.non_200:  # 0: no answer at all (the connection closed, or 30 s passed)
                    print(f"  {name} answers by HTTP status: {dict(sorted(r.statuses.items()))}")
            throughput, p99 = app.rps / bare.rps, app.p(0.99) / bare.p(0.99)
            print(f"  ratio      {throughput:8.2f} {app.p(0.5) / bare.p(0.5):8.2f} {p99:8.2f}")
            print(
                f"  problems stored {figures['stored']} of {figures['sent']} sent, "
                f"{figures['carded']} with their channel card; app RSS {figures['rss']:.0f} MB"
            )
            print(
                f"  server CPU per request: bare {figures['cpu_ms']['bare']:.2f} ms, "
                f"ritualbot {figures['cpu_ms']['ritualbot']:.2f} ms (workers' user+system time)"
            )
            print(
                f"  cards: a round's last card posted {figures['drain']:.1f} s after its last ack "
                "(at most)"
            )
            engine_ok = (
                throughput >= MIN_THROUGHPUT
                and p99 <= MAX_P99
                and bare.non_200 == app.non_200 == 0
                and figures["stored"] == figures["carded"] == figures["sent"]
            )
            ok = ok and engine_ok
            summary.append(
                f"{engine} {throughput:.2f}x throughput ({app.rps:.0f} vs {bare.rps:.0f} req/s), "
                f"p99 {p99:.2f}x ({app.p(0.99):.1f} vs {bare.p(0.99):.1f} ms), "
                f"non-200 {app.non_200}, stored {figures['stored']}/{figures['sent']}"
            )
    bar = (
        f"BAR (throughput >= {MIN_THROUGHPUT}x bare, p99 <= {MAX_P99}x bare, 0 non-200, "
        "every capture stored and carded)"
    )
    print(f"\nbench ack: {'; '.join(summary)} -> {'meets' if ok else 'short of'} {bar}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
