"""A real MLflow tracking server for the session, runs logged with the mlflow client, a
stand-in for answers a local MLflow cannot give (401, 403), and the app on an address
MLflow can post its registry webhooks to."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from sandbox import tracking_server
from sandbox.emulator import SlackEmulator
from sandbox.tracking_server import MlflowServer
from storage.types import run_on
from tests.conftest import CAROL, CHANNEL, TEAM, Bot, serving
from tests.support.registry import webhooks


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    """`mlflow server` on SQLite on a free port, waited for; skipped, saying why, without mlflow."""
    if not tracking_server.installed():
        pytest.skip("mlflow is not installed: `pip install -e '.[dev]'` runs the MLflow tests")
    try:
        with tracking_server.mlflow_server(tmp_path_factory.mktemp("mlflow")) as server:
            yield server
    except tracking_server.NotStarted as error:
        pytest.fail(str(error))


START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Iterator[Clock]:
    fixed = Clock()
    run_on(fixed)
    yield fixed
    run_on(None)


class StandIn(BaseHTTPRequestHandler):
    """Answers every request with the server's `status` and an MLflow-shaped error body."""

    def do_GET(self) -> None:
        status = self.server.status  # type: ignore[attr-defined]
        body = b'{"error_code": "PERMISSION_DENIED", "message": "stand-in"}'
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def refusing_server() -> Iterator[ThreadingHTTPServer]:
    """A stand-in at the network edge for an MLflow behind auth (a local MLflow server has
    none): set `.status` to 401 or 403."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    server.status = 401  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def ritual(bot: Any, text: str, *, user: str = CAROL) -> dict[str, Any]:
    """`/ritual <text>` from `user` (Carol administers the workspace); its ack's body."""
    answer = bot.slack.slash_command(
        team_id=TEAM, user_id=user, channel_id=CHANNEL, command="/ritual", text=text
    )
    bot.settle()
    assert answer.status == 200
    return answer.body


@pytest.fixture
def public_bot(emulator: SlackEmulator, database_url: str) -> Iterator[Bot]:
    """The app with RITUALBOT_PUBLIC_URL set to its own address, where MLflow posts to it."""
    with serving(emulator, database_url, public=True) as served:
        yield served


@pytest.fixture
def model(mlflow_server: MlflowServer) -> Iterator[str]:
    """A registered model of the test's own; the server's webhooks deleted after the test,
    so that no later test's events go to an app that has stopped."""
    name = f"churn-{uuid.uuid4().hex[:8]}"
    mlflow_server.client().create_registered_model(name)
    yield name
    for hook in webhooks(mlflow_server):
        httpx.delete(f"{mlflow_server.url}/api/2.0/mlflow/webhooks/{hook['webhook_id']}")
