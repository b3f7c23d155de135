"""The `ritualbot` command: start-up refusals, migrate and doctor, against the emulator;
the sandbox's options."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from runtime.cli import main, parser
from tests.conftest import TEAM
from tests.support.waiting import eventually

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(monkeypatch, database_url):
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SLACK_CLIENT_ID",
        "SLACK_CLIENT_SECRET",
        "SLACK_API_URL",
        "PORT",
        "WEB_CONCURRENCY",
        "RITUALBOT_SECRET_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    return monkeypatch


def test_run_without_credentials_says_what_to_set_and_points_to_the_sandbox(env, capsys):
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN" in err and "SLACK_SIGNING_SECRET" in err and "ritualbot sandbox" in err


def test_a_malformed_variable_stops_start_up_naming_it(env, capsys):
    env.setenv("PORT", "http")
    assert main(["run"]) == 2
    assert "PORT" in capsys.readouterr().err


def test_migrate_then_doctor_passes_with_a_valid_token(env, emulator, capsys):
    env.setenv("SLACK_BOT_TOKEN", emulator.workspace(TEAM).bot_token)
    env.setenv("SLACK_SIGNING_SECRET", "s")
    env.setenv("SLACK_API_URL", emulator.api_url)

    assert main(["migrate"]) == 0
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out
    assert "Slack scopes: all granted" in out and "schema at" in out


def test_doctor_warns_in_oauth_mode_until_a_secret_key_is_set(env, capsys):
    env.setenv("SLACK_CLIENT_ID", "1111.2222")
    env.setenv("SLACK_CLIENT_SECRET", "c")
    env.setenv("SLACK_SIGNING_SECRET", "s")
    assert main(["migrate"]) == 0
    assert main(["doctor"]) == 0
    [warned] = [line for line in capsys.readouterr().out.splitlines() if "secret key" in line]
    assert warned.startswith("WARN") and "RITUALBOT_SECRET_KEY is not set" in warned
    assert "ritualbot secret-key" in warned

    assert main(["secret-key"]) == 0
    env.setenv("RITUALBOT_SECRET_KEY", capsys.readouterr().out.strip())
    assert main(["doctor"]) == 0
    [found] = [line for line in capsys.readouterr().out.splitlines() if "secret key" in line]
    assert found.startswith("ok") and "sealed" in found


def test_a_malformed_secret_key_stops_start_up_saying_how_to_make_one(env, capsys):
    env.setenv("RITUALBOT_SECRET_KEY", "hunter2")
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "RITUALBOT_SECRET_KEY" in err and "ritualbot secret-key" in err and "hunter2" not in err


def test_doctor_warns_without_failing_when_postgresql_autovacuum_is_off(
    env, emulator, capsys, database_url
):
    env.setenv("SLACK_BOT_TOKEN", emulator.workspace(TEAM).bot_token)
    env.setenv("SLACK_SIGNING_SECRET", "s")
    env.setenv("SLACK_API_URL", emulator.api_url)
    main(["migrate"])
    capsys.readouterr()

    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    warned = [line for line in out.splitlines() if line.startswith("WARN")]
    if not database_url.startswith("postgresql"):
        assert warned == []  # SQLite has no autovacuum to speak of
        return
    engine = create_engine(database_url)
    with engine.connect() as connection:
        server_has = connection.execute(text("SHOW autovacuum")).scalar()
    engine.dispose()
    assert bool(warned) == (server_has == "off")
    assert all("autovacuum is off" in line and "ANALYZE" in line for line in warned)


def test_doctor_reports_a_revoked_token_and_missing_scopes_and_an_unmigrated_database(
    env, emulator, capsys, tmp_path
):
    env.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'never-migrated.db'}")
    narrow = emulator.add_workspace(team_id="T0NARROW", scopes=("commands", "chat:write"))
    env.setenv("SLACK_BOT_TOKEN", narrow.bot_token)
    env.setenv("SLACK_SIGNING_SECRET", "s")
    env.setenv("SLACK_API_URL", emulator.api_url)

    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    [scopes] = [line for line in out.splitlines() if "missing" in line]
    assert scopes.startswith("FAIL") and "channels:read" in scopes and "im:history" in scopes
    assert "not migrated; run `ritualbot migrate`" in out

    emulator.revoke_token(narrow.bot_token)
    assert main(["doctor"]) == 1
    assert "auth.test answered 'invalid_auth'" in capsys.readouterr().out


@pytest.mark.parametrize(
    "given", ["2026-11-30T07:00Z", "2026-11-30T07:00", "2026-11-30T08:00+01:00"]
)
def test_sandbox_clock_start_is_an_instant_in_utc_unless_it_says_otherwise(given):
    args = parser().parse_args(["sandbox", "--clock-start", given])
    assert args.clock_start == datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


def test_a_sandbox_clock_start_that_is_not_an_instant_is_refused_with_an_example(capsys):
    with pytest.raises(SystemExit):
        parser().parse_args(["sandbox", "--clock-start", "monday"])
    assert (
        "'monday' is not an ISO 8601 instant such as 2026-11-30T07:00Z" in capsys.readouterr().err
    )


def app_env(emulator, database_url: str, **more: str) -> dict[str, str]:
    """The environment of an app process of ours, started against the emulator."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": emulator.workspace(TEAM).bot_token,
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": emulator.api_url,
        **more,
    }


@dataclass
class Served:
    """A server of ours in its own process: a gunicorn master and its workers."""

    process: subprocess.Popen[bytes]
    port: int

    def workers(self) -> set[int]:
        found = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        )
        return {int(child) for child in found.stdout.split()}

    def healthy(self) -> bool:
        try:
            url = f"http://127.0.0.1:{self.port}/healthz"
            return httpx.get(url, timeout=1).status_code == 200
        except httpx.TransportError:
            return False


@contextmanager
def serving(command: list[str], *, emulator, database_url: str, log: Path) -> Iterator[Served]:
    """`command` serving on a free port with two workers, its output in `log`; stopped after."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with open(log, "wb") as output:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=app_env(emulator, database_url, PORT=str(port), WEB_CONCURRENCY="2"),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield Served(process=process, port=port)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def test_run_serves_from_its_workers_with_the_clock_in_exactly_one_even_after_a_crash(
    env, emulator, database_url, tmp_path
):
    """`ritualbot run` on WEB_CONCURRENCY workers: one runs the ritual clock (standups would
    go out twice from two), and when that one dies another takes the clock over."""
    log = tmp_path / "run.log"
    run = [sys.executable, "-c", "from runtime.cli import main; raise SystemExit(main(['run']))"]

    def clocks() -> list[int]:
        found = re.findall(r"ritual clock running in worker (\d+)", log.read_text())
        return [int(pid) for pid in found]

    with serving(run, emulator=emulator, database_url=database_url, log=log) as server:
        assert eventually(
            lambda: server.healthy() and len(server.workers()) == 2 and clocks(), 30
        ), log.read_text()
        time.sleep(1)  # the other worker is up and waiting: it must not start a second clock
        first = clocks()
        assert len(first) == 1 and first[0] in server.workers()

        os.kill(first[0], signal.SIGKILL)
        assert eventually(lambda: len(clocks()) == 2, 30), log.read_text()
        taken_over = clocks()[1]
        assert taken_over != first[0] and taken_over in server.workers()
        # gunicorn replaced it
        assert eventually(lambda: server.healthy() and len(server.workers()) == 2, 30)
        time.sleep(1)
        assert len(clocks()) == 2  # the replacement waits; it runs no clock of its own


def test_the_procfiles_web_line_serves_from_its_workers(env, emulator, database_url, tmp_path):
    """The Procfile's `web`, run as written, answers from WEB_CONCURRENCY workers."""
    web = next(
        line.split(":", 1)[1].strip()
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line.startswith("web:")
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = ["bash", "-c", f"exec {web.replace('gunicorn', str(gunicorn), 1)}"]
    log = tmp_path / "web.log"
    with serving(command, emulator=emulator, database_url=database_url, log=log) as server:
        assert eventually(lambda: server.healthy() and len(server.workers()) == 2, 30), (
            log.read_text()
        )
