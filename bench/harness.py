"""What the benchmarks share: the emulator and servers as subprocesses, databases, signed
requests (the load generator that sends them is bench/load.py)."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from runtime.config import load
from runtime.config import web_workers as web_workers_for
from sandbox.signing import sign
from storage import migrate
from storage.db import Database

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-signing-secret"
# The emulator's seeded workspace (sandbox.emulator.seed).
TEAM, USER, CHANNEL = "T0001", "U0001", "C0001"
TOKEN = f"xoxb-{TEAM}-emulator"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def emulator() -> Iterator[str]:
    """A seeded Slack emulator in its own process; yields its Web API URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox.emulator", "--signing-secret", SECRET],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def database(engine: str, *, workdir: Path) -> Iterator[str]:
    """A fresh, migrated database: a SQLite file, or a new database on DATABASE_URL's server."""
    if engine == "sqlite":
        url = f"sqlite:///{workdir / f'bench-{uuid.uuid4().hex[:8]}.db'}"
        db = Database.from_url(url)
        migrate.upgrade(db.engine)
        db.dispose()
        yield url
        return
    server = load({"DATABASE_URL": os.environ["DATABASE_URL"]}).database_url
    name = f"ritualbot_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    db = Database.from_url(url)
    migrate.upgrade(db.engine)
    db.dispose()
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Server:
    kind: str
    url: str
    process: subprocess.Popen[bytes]

    def worker_pids(self) -> list[int]:
        found = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in found.split()]

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the workers have used so far, in seconds."""
        total = 0
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime (man 5 proc)
        return total / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        """Resident memory of the gunicorn master and its workers together, in MB."""
        total = 0
        for pid in [self.process.pid, *self.worker_pids()]:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except FileNotFoundError:
                continue
        return total / 1024


@contextmanager
def server(
    kind: str, *, database_url: str, api_url: str, log: Path, workers: int
) -> Iterator[Server]:
    """`bench/servers.py KIND` under gunicorn on a free port, once it answers HTTP."""
    port = free_port()
    env = {
        **os.environ,
        "WEB_CONCURRENCY": str(workers),
        "PYTHONPATH": str(ROOT),
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api_url,
        "DATABASE_URL": database_url,
    }
    with open(log, "ab") as errors:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "servers.py"), kind, str(port)],
            cwd=ROOT,
            env=env,
            stderr=errors,
            stdout=errors,
        )
    running = Server(kind=kind, url=f"http://127.0.0.1:{port}", process=process)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.post(f"{running.url}/slack/events", content=b"", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{kind} server did not start; see {log}") from None
                time.sleep(0.1)
        yield running
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def signed(body: bytes, content_type: str = "application/x-www-form-urlencoded") -> dict:
    stamp = int(time.time())
    return {"Content-Type": content_type, **sign(body=body, secret=SECRET, timestamp=stamp)}


def add_engine_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--engine", action="append", choices=["sqlite", "postgresql"], help="default: both"
    )


def engines(chosen: list[str] | None) -> list[str]:
    """The engines to measure: those chosen (default both), PostgreSQL only when
    DATABASE_URL points at a server."""
    wanted = chosen or ["sqlite", "postgresql"]
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        wanted = [e for e in wanted if e != "postgresql"]
    return wanted


def web_workers(engine: str) -> int:
    """The production server's worker count on `engine` ("sqlite" or "postgresql"), as
    `ritualbot run` picks it: WEB_CONCURRENCY, by default 1 on SQLite (one writer) and 2 on
    PostgreSQL."""
    return web_workers_for(os.environ, database_url=f"{engine}://")


def command_body(text_: str, *, api_url: str, command: str = "/problem") -> bytes:
    """A slash command from the seeded user in the seeded channel, with a unique trigger_id."""
    base = api_url.removesuffix("/api/")
    return urlencode(
        {
            "token": "emulator-verification-token",
            "command": command,
            "text": text_,
            "user_id": USER,
            "user_name": "ada",
            "channel_id": CHANNEL,
            "channel_name": "general",
            "team_id": TEAM,
            "team_domain": "ritual-lab",
            "api_app_id": "A0EMULATOR",
            "is_enterprise_install": "false",
            "response_url": f"{base}/response/bench",
            "trigger_id": f"{uuid.uuid4().hex}.{int(time.time())}",
        }
    ).encode()


def wait_until(predicate: Callable[[], bool], *, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True
