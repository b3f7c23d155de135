"""Reliability fixtures: faults on demand, a TCP cut-able database, subprocess servers, and a
check after every test that no secret reached a log or anything the bot sent."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from runtime.config import load
from runtime.process import build
from runtime.server import InProcessServer
from sandbox.emulator import SlackEmulator
from tests.conftest import SIGNING_SECRET, TEAM, Bot, seed_emulator
from tests.support import ledger
from tests.support.executor import IdleTrackingExecutor
from tests.support.slack import rendered

# Secrets the app holds; none may appear in a log line or in anything sent to Slack.
DB_PASSWORD = "db-pa55word-never-logged"
SECRETS = ("xoxb-", SIGNING_SECRET, DB_PASSWORD)


@pytest.fixture(autouse=True)
def no_secret_leaks(caplog: pytest.LogCaptureFixture, request: pytest.FixtureRequest):
    """Every reliability test runs with DEBUG logs captured, then greps them for secrets."""
    caplog.set_level(logging.DEBUG)
    yield
    texts = [caplog.text, *(r.getMessage() for r in caplog.records)]
    slack = request.node.funcargs.get("emulator") or getattr(
        request.node.funcargs.get("bot"), "slack", None
    )
    if slack is not None:
        texts.append(rendered([c.args for c in slack.calls()]))
        texts.append(rendered([r.body for r in slack.responses]))
    for secret in SECRETS:
        assert not any(secret in text for text in texts), f"a secret ({secret[:5]}…) leaked"


def make_bot(
    emulator: SlackEmulator, database_url: str, *, production_executor: bool = False
) -> Bot:
    settings = load(
        {
            "SLACK_BOT_TOKEN": emulator.workspace(TEAM).bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": emulator.api_url,
            "DATABASE_URL": database_url,
        }
    )
    executor = IdleTrackingExecutor()
    runtime = build(
        settings,
        listener_executor=None if production_executor else executor,
        follow_up_executor=IdleTrackingExecutor(4),
    )
    server = InProcessServer(runtime.web).start()
    emulator.app_url = f"{server.url}/slack/events"
    made = Bot(runtime=runtime, url=server.url, executor=executor, slack=emulator)
    made._server = server  # type: ignore[attr-defined]
    return made


def stop_bot(made: Bot) -> None:
    made.executor.wait_idle()
    made.runtime.follow_ups.pool.wait_idle(10)
    made._server.stop()  # type: ignore[attr-defined]
    made.executor.shutdown(wait=True)
    made.runtime.follow_ups.shutdown()
    made.runtime.db.dispose()


@pytest.fixture(scope="module")
def module_emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator(signing_secret=SIGNING_SECRET) as slack:
        seed_emulator(slack)
        yield slack


@pytest.fixture(scope="module")
def module_database_url(
    postgres_database: str | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    from storage.db import Database
    from tests.support import database as testdb

    if postgres_database is None:
        yield f"sqlite:///{tmp_path_factory.mktemp('module') / 'ritualbot.db'}"
        return
    yield postgres_database
    db = Database.from_url(postgres_database)
    testdb.truncate_all(db.engine)
    db.dispose()


@pytest.fixture(scope="module")
def module_bot(module_emulator: SlackEmulator, module_database_url: str) -> Iterator[Bot]:
    """One app for a whole module: property-based tests send many examples through it."""
    made = make_bot(module_emulator, module_database_url)
    yield made
    stop_bot(made)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    path = ledger.report_path()
    if path is None:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    stats = reporter.stats if reporter else {}
    engine = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    prefix = "DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test " if engine != "SQLite" else ""
    ledger.write(
        Path(path),
        engine=engine,
        command=f"{prefix}RELIABILITY_REPORT={path} PYTHONPATH=. pytest -q tests/reliability",
        passed=len(stats.get("passed", [])),
        failed=len(stats.get("failed", [])) + len(stats.get("error", [])),
    )
