"""A real MLflow tracking server for the session, runs logged with the mlflow client, and a
stand-in for answers a local MLflow cannot give (401, 403)."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import CAROL, CHANNEL, TEAM

START_SECONDS = 180
QUIET = {"MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class MlflowServer:
    url: str

    def client(self) -> Any:
        from mlflow.tracking import MlflowClient

        return MlflowClient(tracking_uri=self.url)

    def run(self, metrics: dict[str, float], *, params: dict[str, str] | None = None) -> str:
        """Log a finished run with `metrics`; its id."""
        client = self.client()
        experiment = client.get_experiment_by_name("ritualbot tests") or None
        experiment_id = (
            experiment.experiment_id if experiment else client.create_experiment("ritualbot tests")
        )
        run = client.create_run(experiment_id)
        for key, value in metrics.items():
            client.log_metric(run.info.run_id, key, value)
        for key, value in (params or {}).items():
            client.log_param(run.info.run_id, key, value)
        client.set_terminated(run.info.run_id)
        return run.info.run_id

    def run_url(self, run_id: str) -> str:
        return f"{self.url}/#/experiments/1/runs/{run_id}"


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    """`mlflow server` on SQLite on a free port, waited for; skipped, saying why, without mlflow."""
    if importlib.util.find_spec("mlflow") is None:
        pytest.skip("mlflow is not installed: `pip install -e '.[dev]'` runs the MLflow tests")
    os.environ.update(QUIET)
    home = tmp_path_factory.mktemp("mlflow")
    port = free_port()
    log = (home / "server.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable, "-m", "mlflow", "server",
            "--backend-store-uri", f"sqlite:///{home / 'mlflow.db'}",
            "--default-artifact-root", str(home / "artifacts"),
            "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
        ],
        cwd=home, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **QUIET},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, server, home / "server.log")
        yield MlflowServer(url)
    finally:
        server.terminate()
        server.wait(30)
        log.close()


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"mlflow server exited:\n{log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(
        f"mlflow server did not answer within {START_SECONDS} s:\n{log.read_text()[-2000:]}"
    )


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
