"""bench enrich: 500 experiments pasted with MLflow run links, against a real MLflow server.

A real `mlflow server` (sandbox/tracking_server.py, as the tests start it) holds 500
finished runs, each with its `recall`. Each run's link goes to `ritualbot run` (gunicorn, as
the Procfile's `web`) in a signed `/experiment P-1 <run link> note` from the seeded Slack
emulator's user, `--rate` a second (2: more than any team pastes; the commands keep their
schedule whatever the answers). At 5 a second this box's MLflow server (SQLite, 1 worker,
sharing 2 cores) answered fewer runs than were pasted: see docs/benchmarks.md. The ack is the HTTP answer; the value is filled
when the stored experiment holds the run's number (read from MLflow after the ack, judged,
and its card redrawn), polled every 50 ms. The baseline of the same run: `--plain`
`/experiment P-1 0.81 note` with no run link, at the same rate to the same server, just
before.

    python bench/enrich.py [--experiments 500] [--rate 2] [--plain 100]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python bench/enrich.py

Bar: the ack does not wait for MLflow (ack p95 with a run link within 1.5x the plain ack
p95 of the same run, and under 3 s, Slack's deadline), no non-200 answer, every value
filled with its run's number, and p95 from the command to the filled value under 5 s.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `python bench/NAME.py` puts bench/ on the path, not the repository: add it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import contextlib
import io
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from bench import harness, load
from sandbox import tracking_server
from storage.db import Database
from storage.experiments import Experiment
from storage.problems import Problem
from storage.queries import next_number

ACK_RATIO, ACK_MAX_S, FILL_P95_S = 1.5, 3.0, 5.0
FILL_TIMEOUT = 180.0
POLL_S = 0.05
SENDERS = 20  # enough that a slow ack never holds back the next command's time


def a_problem(database_url: str) -> None:
    """P-1, measured by `recall` (the runs' metric), in the seeded channel."""
    db = Database.from_url(database_url)
    try:
        with db.transaction() as session:
            session.add(
                Problem(
                    team_id=harness.TEAM,
                    number=next_number(session, team_id=harness.TEAM, kind="P"),
                    title="Recall on rare classes",
                    owner_id=harness.USER,
                    created_by=harness.USER,
                    metric_name="recall",
                    baseline=0.70,
                    target=0.80,
                    channel_id=harness.CHANNEL,
                )
            )
    finally:
        db.dispose()


def runs(server: tracking_server.MlflowServer, count: int) -> list[tuple[str, float]]:
    """`count` finished runs, each with its own recall; (link, recall)."""
    recalls = [round(0.70 + (n % 200) / 1000, 3) for n in range(count)]
    with (
        contextlib.redirect_stdout(io.StringIO()),  # the client prints each run's link
        ThreadPoolExecutor(max_workers=4) as pool,
    ):
        server.run({"recall": 0.5})  # the runs' MLflow experiment, made once
        ids = list(pool.map(lambda recall: server.run({"recall": recall}), recalls))
    return [(server.run_url(run), recall) for run, recall in zip(ids, recalls, strict=True)]


class Watch:
    """Polls the stored experiments and notes when each note's value first shows."""

    def __init__(self, database_url: str) -> None:
        self.db = Database.from_url(database_url)
        self.filled: dict[str, tuple[float, list[float]]] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()

    def _poll(self) -> None:
        query = select(Experiment.notes, Experiment.values).where(
            Experiment.team_id == harness.TEAM, Experiment.run_url.is_not(None)
        )
        while not self.stop.is_set():
            with self.db.reading() as session:
                rows = session.execute(query).all()
            seen = time.perf_counter()
            for notes, values in rows:
                if values and notes not in self.filled:
                    self.filled[notes] = (seen, list(values))
            time.sleep(POLL_S)

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.db.dispose()


def send(
    url: str, texts: list[str], *, api_url: str, rate: float
) -> list[tuple[float, float, int]]:
    """Each `/experiment <text>` signed and posted at `rate` a second, on schedule whatever
    the answers (an open loop, as people paste: a slow ack does not slow the next paste);
    (sent at, acked at, status) in order."""
    senders = [load.Sender(url) for _ in range(SENDERS)]
    prepared = []
    for text_ in texts:
        body = harness.command_body(text_, api_url=api_url, command="/experiment")
        prepared.append(senders[0].prepare(body, harness.signed(body)))
    times: list[tuple[float, float, int]] = [(0.0, 0.0, 0)] * len(prepared)
    position = iter(range(len(prepared)))
    take = threading.Lock()
    began = time.perf_counter()

    def worker(sender: load.Sender) -> None:
        try:
            while True:
                with take:
                    index = next(position, None)
                if index is None:
                    return
                time.sleep(max(0.0, began + index / rate - time.perf_counter()))
                start = time.perf_counter()
                status = sender.post(prepared[index])
                times[index] = (start, time.perf_counter(), status)
        finally:
            sender.close()

    threads = [threading.Thread(target=worker, args=(s,)) for s in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def measure(engine: str, args: argparse.Namespace, workdir: Path) -> dict[str, object]:
    log = workdir / "servers.log"
    home = workdir / f"mlflow-{engine}"
    home.mkdir()
    with (
        tracking_server.mlflow_server(home) as mlflow,
        harness.emulator() as api_url,
        harness.database(engine, workdir=workdir) as url,
    ):
        a_problem(url)
        made = runs(mlflow, args.experiments)
        workers = harness.web_workers(engine)
        with harness.server(
            "ritualbot", database_url=url, api_url=api_url, log=log, workers=workers
        ) as app:
            endpoint = f"{app.url}/slack/events"
            warm = [f"P-1 0.8 warm-up {n}" for n in range(20)]
            send(endpoint, warm, api_url=api_url, rate=args.rate)
            plain = [f"P-1 0.81 bench plain {n}" for n in range(args.plain)]
            baseline = send(endpoint, plain, api_url=api_url, rate=args.rate)
            watch = Watch(url)
            try:
                linked = [f"P-1 {link} bench link {n}" for n, (link, _) in enumerate(made)]
                pasted = send(endpoint, linked, api_url=api_url, rate=args.rate)
                harness.wait_until(
                    lambda: len(watch.filled) >= args.experiments, timeout=FILL_TIMEOUT
                )
            finally:
                watch.close()
    fills, right = [], 0
    for n, (start, _, _) in enumerate(pasted):
        seen = watch.filled.get(f"bench link {n}")
        if seen is not None:
            fills.append(seen[0] - start)
            right += seen[1] == [made[n][1]]
    return {
        "workers": workers,
        "plain": [done - start for start, done, _ in baseline],
        "linked": [done - start for start, done, _ in pasted],
        "non_200": sum(status != 200 for *_, status in baseline + pasted),
        "fills": fills,
        "right": right,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiments", type=int, default=500)
    parser.add_argument("--rate", type=float, default=2.0, help="commands a second")
    parser.add_argument("--plain", type=int, default=100, help="plain values, the baseline")
    harness.add_engine_option(parser)
    args = parser.parse_args(argv)
    if not tracking_server.installed():
        print("bench enrich: mlflow is not installed (`pip install -e '.[dev]'`) -> short of BAR")
        return 1
    engines = harness.engines(args.engine)
    print(
        f"{args.experiments} signed /experiment per kind at {args.rate:g} a second, "
        f"`ritualbot run` on gunicorn, a real `mlflow server` (SQLite, 1 worker)"
    )
    summary, ok = [], True

    def p(values: list[float], share: float) -> float:
        return load.percentile(values, share) * 1000

    with tempfile.TemporaryDirectory(prefix="bench-enrich-") as tmp:
        for engine in engines:
            f = measure(engine, args, Path(tmp))
            plain, linked, fills = f["plain"], f["linked"], f["fills"]
            print(f"\n{engine}: {f['workers']} gunicorn worker(s)")
            print(f"  {'':28} {'p50 ms':>8} {'p95 ms':>8}")
            print(
                f"  {'ack, plain value (baseline)':28} {p(plain, 0.5):8.0f} {p(plain, 0.95):8.0f}"
            )
            print(f"  {'ack, MLflow run link':28} {p(linked, 0.5):8.0f} {p(linked, 0.95):8.0f}")
            print(f"  {'command -> value filled':28} {p(fills, 0.5):8.0f} {p(fills, 0.95):8.0f}")
            print(
                f"  filled {len(fills)}/{args.experiments}, with its run's number "
                f"{f['right']}; non-200 answers {f['non_200']}"
            )
            ratio = p(linked, 0.95) / p(plain, 0.95)
            engine_ok = (
                ratio <= ACK_RATIO
                and p(linked, 0.95) < ACK_MAX_S * 1000
                and f["non_200"] == 0
                and f["right"] == args.experiments
                and p(fills, 0.95) < FILL_P95_S * 1000
            )
            ok = ok and engine_ok
            summary.append(
                f"{engine} ack p95 {p(linked, 0.95):.0f} ms (plain {p(plain, 0.95):.0f} ms, "
                f"{ratio:.2f}x), fill p95 {p(fills, 0.95):.0f} ms, "
                f"filled {f['right']}/{args.experiments}"
            )
    bar = (
        f"BAR (ack p95 <= {ACK_RATIO}x plain and < {ACK_MAX_S:.0f} s, every value filled, "
        f"fill p95 < {FILL_P95_S:.0f} s)"
    )
    print(f"\nbench enrich: {'; '.join(summary)} -> {'meets' if ok else 'short of'} {bar}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
