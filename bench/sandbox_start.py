"""How long `ritualbot sandbox --demo` takes until its page answers, against the empty sandbox.

    python bench/sandbox_start.py              # the sandbox's own SQLite file
    DATABASE_URL=postgresql://... python bench/sandbox_start.py

Timed, per start, two ways:
- in process: Sandbox(...).start() (emulator, migrations, the bot built against the
  emulator, the demo seeded through the services, both servers up) until GET / and the
  page's first /_sandbox/state answer, on SQLite or the PostgreSQL server;
- the command: `python -m runtime.cli sandbox [--demo] --no-browser --port 0` from launch
  until its page answers (imports included; it always uses its own SQLite file).
The baseline is the same start without --demo, measured in the same run; each start gets
a fresh database. Medians of --repeat starts.
Bar: the command's demo page is up within 3 s, and the seed adds at most 1 s in process.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `python bench/NAME.py` puts bench/ on the path, not the repository: add it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import os
import re
import signal
import statistics
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from runtime.config import load
from sandbox.run import Sandbox

BAR_TOTAL_S = 3.0
BAR_SEED_S = 1.0


@contextmanager
def fresh(server: str | None) -> Iterator[str | None]:
    """None (the sandbox's own throwaway SQLite) or a new database on the PostgreSQL server."""
    if server is None:
        yield None
        return
    name = f"ritualbot_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def start_once(*, demo: bool, server: str | None) -> float:
    with fresh(server) as url:
        began = time.perf_counter()
        with Sandbox(port=0, demo_data=demo, database_url=url) as sandbox:
            assert httpx.get(sandbox.url).status_code == 200
            state = httpx.get(f"{sandbox.url}/_sandbox/state").json()
            took = time.perf_counter() - began
            bots = [m["text"] for m in state["messages"] if m["bot"]]
            assert not demo or len(bots) == 9, bots
    return took


def command_once(*, demo: bool) -> float:
    """Seconds from launching the command until its page answers."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    flags = ["--demo"] if demo else []
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "runtime.cli", "sandbox", *flags, "--no-browser", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if match := re.search(r"open (http://\S+)", line):
                assert httpx.get(match.group(1)).status_code == 200
                return time.perf_counter() - began
        raise RuntimeError("the sandbox command exited without serving its page")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    server = load({"DATABASE_URL": url}).database_url if url.startswith("postgres") else None
    engine = "postgresql" if server else "sqlite"
    start_once(demo=True, server=server)  # warm-up: imports, the chart library, fonts
    starts = {
        demo: statistics.median(start_once(demo=demo, server=server) for _ in range(args.repeat))
        for demo in (False, True)
    }
    commands = {
        demo: statistics.median(command_once(demo=demo) for _ in range(args.repeat))
        for demo in (False, True)
    }
    base, seeded = starts[False], starts[True]
    meets = commands[True] <= BAR_TOTAL_S and seeded - base <= BAR_SEED_S
    print(
        f"bench sandbox_start: command {commands[False]:.2f} s empty (baseline), "
        f"{commands[True]:.2f} s --demo; in process on {engine} {base:.2f} s empty (baseline), "
        f"{seeded:.2f} s --demo, seed +{seeded - base:.2f} s (medians of {args.repeat}) "
        f"-> {'meets' if meets else 'short of'} BAR "
        f"(command --demo <= {BAR_TOTAL_S:.0f} s and seed <= +{BAR_SEED_S:.0f} s)"
    )
    return 0 if meets else 1


if __name__ == "__main__":
    sys.exit(main())
