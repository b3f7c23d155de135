"""Fixtures: a real database, the Slack emulator, and the real app served over HTTP."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from runtime.config import load
from runtime.process import Runtime, build
from runtime.server import InProcessServer
from sandbox.emulator import SlackEmulator
from sandbox.tracking_server import free_port
from storage import migrate
from storage.db import Database
from storage.secrets import new_key
from tests.support import database as testdb
from tests.support.executor import IdleTrackingExecutor

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SIGNING_SECRET = "test-signing-secret"
TEAM, OTHER_TEAM = "T0001", "T0002"
ALICE, BOB, CAROL = "U0ALICE", "U0BOB", "U0CAROL"
CHANNEL, QUIET_CHANNEL = "C0ML", "C0QUIET"
# Tokens the app stores (trackers') are sealed with it.
SECRET_KEY = new_key()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str | None]:
    server = testdb.postgres_url()
    if server is None:
        yield None
        return
    url = testdb.create_postgres_database(server)
    db = Database.from_url(url)
    migrate.upgrade(db.engine)
    db.dispose()
    yield url
    testdb.drop_postgres_database(server, url)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per worker, copied for each test: running every
    migration again costs each test about a tenth of a second."""
    path = tmp_path_factory.mktemp("template") / "ritualbot.db"
    db = Database.from_url(f"sqlite:///{path}")
    migrate.upgrade(db.engine)
    db.dispose()
    return path


@pytest.fixture
def database_url(
    postgres_database: str | None, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[str]:
    """SQLite in a fresh file (a copy of the migrated template), or the run's PostgreSQL
    database emptied after the test."""
    if postgres_database is None:
        path = tmp_path / "ritualbot.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    yield postgres_database
    db = Database.from_url(postgres_database)
    testdb.truncate_all(db.engine)
    db.dispose()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """The test's database, already at the newest schema."""
    database = Database.from_url(database_url)
    yield database
    database.dispose()


def seed_emulator(slack: SlackEmulator) -> None:
    """Two workspaces: ours (three people, #ml-team, #quiet without the bot) and another."""
    for team, name in ((TEAM, "ML Team"), (OTHER_TEAM, "Other Co")):
        slack.add_workspace(team_id=team, name=name)
    slack.add_user(team_id=TEAM, user_id=ALICE, name="alice", tz="America/Toronto")
    slack.add_user(team_id=TEAM, user_id=BOB, name="bob", tz="Europe/London")
    slack.add_user(team_id=TEAM, user_id=CAROL, name="carol", tz="Asia/Kolkata", is_admin=True)
    slack.add_user(team_id=OTHER_TEAM, user_id="U0MALLORY", name="mallory")
    slack.add_channel(team_id=TEAM, channel_id=CHANNEL, name="ml-team", members=[ALICE, BOB, CAROL])
    slack.add_channel(
        team_id=TEAM, channel_id=QUIET_CHANNEL, name="quiet", members=[ALICE], bot_is_member=False
    )
    slack.add_channel(
        team_id=OTHER_TEAM, channel_id="C0OTHER", name="general", members=["U0MALLORY"]
    )


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator(signing_secret=SIGNING_SECRET) as slack:
        seed_emulator(slack)
        yield slack


@dataclass
class Bot:
    """The real app over HTTP, with handles to wait for its background work."""

    runtime: Runtime
    url: str
    executor: IdleTrackingExecutor
    slack: SlackEmulator

    def settle(self) -> None:
        """Wait for the listeners, then for the follow-ups they left (cards, hints)."""
        self.executor.wait_idle()
        self.runtime.follow_ups.pool.wait_idle(10)


@contextmanager
def serving(emulator: SlackEmulator, database_url: str, *, public: bool = False) -> Iterator[Bot]:
    """The real app over HTTP; `public`: on a port chosen first, so that its
    RITUALBOT_PUBLIC_URL (where MLflow posts to it) is set before it starts."""
    port = free_port() if public else 0
    env = {
        "SLACK_BOT_TOKEN": emulator.workspace(TEAM).bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": emulator.api_url,
        "DATABASE_URL": database_url,
        "RITUALBOT_SECRET_KEY": SECRET_KEY,
    }
    if public:
        env["RITUALBOT_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
    executor = IdleTrackingExecutor()
    runtime = build(
        load(env), listener_executor=executor, follow_up_executor=IdleTrackingExecutor(4)
    )
    server = InProcessServer(runtime.web, port=port).start()
    emulator.app_url = f"{server.url}/slack/events"
    yield Bot(runtime=runtime, url=server.url, executor=executor, slack=emulator)
    executor.wait_idle()
    runtime.follow_ups.pool.wait_idle(10)
    server.stop()
    executor.shutdown(wait=True)
    runtime.follow_ups.shutdown()
    runtime.db.dispose()


@pytest.fixture
def bot(emulator: SlackEmulator, database_url: str) -> Iterator[Bot]:
    with serving(emulator, database_url) as served:
        yield served
