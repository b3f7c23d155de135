"""A real MLflow tracking server (`mlflow server` on SQLite on a free port), and runs logged
to it with the `mlflow` client: started the same way by the tests (tests/trackers/conftest.py)
and by bench/enrich.py. mlflow comes with the `dev` extra."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

START_SECONDS = 180
QUIET = {"MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}
# Registry webhooks delivered to an app on this machine over http (MLflow allows only
# public https addresses by default), each to the webhooks as they are now (no cache).
LOCAL_WEBHOOKS = {
    "MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS": "true",
    "MLFLOW_WEBHOOK_ALLOWED_SCHEMES": "http,https",
    "MLFLOW_WEBHOOK_CACHE_TTL": "0",
}


class NotStarted(RuntimeError):
    """The server exited, or did not answer in time; the message ends with its log."""


def installed() -> bool:
    return importlib.util.find_spec("mlflow") is not None


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


@contextmanager
def mlflow_server(home: Path, *, workers: int = 1) -> Iterator[MlflowServer]:
    """`mlflow server` with its store and artifacts under `home`, once it answers /health;
    stopped on exit. Raises NotStarted when it does not come up."""
    os.environ.update(QUIET)
    port = free_port()
    log_path = home / "server.log"
    log = log_path.open("w")
    server = subprocess.Popen(
        [
            sys.executable, "-m", "mlflow", "server",
            "--backend-store-uri", f"sqlite:///{home / 'mlflow.db'}",
            "--default-artifact-root", str(home / "artifacts"),
            "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        ],
        cwd=home, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **QUIET, **LOCAL_WEBHOOKS},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, server, log_path)
        yield MlflowServer(url)
    finally:
        server.terminate()
        server.wait(30)
        log.close()


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise NotStarted(f"mlflow server exited:\n{log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise NotStarted(
        f"mlflow server did not answer within {START_SECONDS} s:\n{log.read_text()[-2000:]}"
    )
