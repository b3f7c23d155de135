"""`ritualbot log` against the real app served on a free port: what it prints, its exit
codes, and its retries with the same key."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from runtime import cli
from runtime.server import InProcessServer
from tests.conftest import CHANNEL
from tests.hooks.support import connect
from tests.support.delivery import experiments, frame
from tests.support.plateau import clock  # noqa: F401  (the fixture)

pytestmark = pytest.mark.usefixtures("clock")

RUN = "https://mlflow.example.com/#/experiments/3/runs/ab12"


@pytest.fixture
def script(bot, monkeypatch):
    """A training script's environment, with the workspace's token and P-1 framed."""
    frame(bot, baseline="0.70", target="0.80")
    monkeypatch.setenv("RITUALBOT_URL", bot.url)
    monkeypatch.setenv("RITUALBOT_TOKEN", connect(bot))
    return bot


class Unavailable:
    """A load balancer in front of the app whose first answers are 503: the first request
    still reaches the app (its answer is what is lost), as when a proxy times out."""

    def __init__(self, app, *, failures: int):
        self.app, self.failures, self.seen = app, failures, 0
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self._lock:
            self.seen += 1
            failing = self.seen <= self.failures
        if not failing:
            return self.app(environ, start_response)
        list(self.app(environ, lambda *_args, **_kwargs: None))
        start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
        return [b"upstream timed out"]


@pytest.fixture
def behind(script) -> Iterator[tuple[Unavailable, str]]:
    proxy = Unavailable(script.runtime.web, failures=2)
    server = InProcessServer(proxy).start()
    yield proxy, server.url
    server.stop()


def test_log_prints_the_experiment_id_and_the_card_is_posted(script, capsys):
    code = cli.main(
        ["log", "P-1", "0.83", "0.84", "--n", "2000", "--run-url", RUN, "--note", "focal loss"]
    )

    out, err = capsys.readouterr()
    assert code == 0, err
    assert out == "E-1\n"
    assert err.startswith("E-1 on P-1: ")
    [stored] = experiments(script)
    assert (stored.values, stored.eval_size, stored.run_url, stored.notes) == (
        [0.83, 0.84],
        2000,
        RUN,
        "focal loss",
    )
    assert stored.source_key.startswith("webhook:cli-")
    assert [m.ts for m in script.slack.messages(CHANNEL) if m.text.startswith("E-1")] == [
        stored.message_ts
    ]


def test_a_503_is_retried_with_the_same_key_and_logs_once(behind, script, capsys, monkeypatch):
    proxy, url = behind
    monkeypatch.setenv("RITUALBOT_URL", url)

    code = cli.main(["log", "P-1", "0.83", "--note", "focal loss", "--key", "run-ab12"])

    out, err = capsys.readouterr()
    assert code == 0, err
    assert out == "E-1\n"
    assert "already logged with this key" in err  # the first try was stored, its answer lost
    assert proxy.seen == 3
    assert len(experiments(script)) == 1


def test_a_refusal_is_printed_with_a_failing_exit_code(script, capsys):
    code = cli.main(["log", "P-9", "0.83"])

    assert code == 1
    assert "404: There is no problem P-9 in this workspace" in capsys.readouterr().err
    assert experiments(script) == []


def test_a_wrong_token_and_a_missing_setting_fail_saying_what_to_do(script, capsys, monkeypatch):
    monkeypatch.setenv("RITUALBOT_TOKEN", "rbk_" + "x" * 43)
    assert cli.main(["log", "P-1", "0.83"]) == 1
    assert "401: This token is not a webhook token" in capsys.readouterr().err

    monkeypatch.delenv("RITUALBOT_TOKEN")
    assert cli.main(["log", "P-1", "0.83"]) == 2
    assert "set RITUALBOT_URL" in capsys.readouterr().err

    monkeypatch.setenv("RITUALBOT_TOKEN", "rbk_" + "x" * 43)
    assert cli.main(["log", "P-1", "high"]) == 2
    assert "'high' is not a number" in capsys.readouterr().err
    assert experiments(script) == []


def test_an_unreachable_server_is_retried_then_given_up_on(script, capsys, monkeypatch):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("RITUALBOT_URL", f"http://127.0.0.1:{port}")

    code = cli.main(["log", "P-1", "0.83", "--key", "run-ab12", "--tries", "3"])

    assert code == 3
    err = capsys.readouterr().err
    assert "gave up after 3 tries (key run-ab12)" in err and "ConnectError" in err
    assert experiments(script) == []


def test_the_readme_lines_log_a_run_once_whichever_way_it_is_sent(script):
    """The README's lines for the end of a training script, run as written (the exports
    aside: the test's own address and token are set): `ritualbot log`, then curl with the
    same run id, which answers the experiment already logged."""
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    block = readme.split("### Log from a training script", 1)[1].split("```sh\n", 1)[1]
    lines = [line for line in block.split("```", 1)[0].splitlines() if line.strip()]
    assert lines[0].startswith("export RITUALBOT_URL=")
    shell = "\n".join(
        [
            f'ritualbot() {{ "{sys.executable}" -m runtime.cli "$@"; }}',
            "set -e",
            *lines[1:],
        ]
    ).replace("P-12", "P-1")  # the test's problem
    env = os.environ | {"RUN_URL": RUN, "RUN_ID": "ab12", "PYTHONPATH": str(Path.cwd())}

    ran = subprocess.run(["bash", "-c", shell], env=env, capture_output=True, text=True)

    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.startswith("E-1\n")
    assert '"id": "E-1"' in ran.stdout and '"created": false' in ran.stdout
    [stored] = experiments(script)
    assert (stored.values, stored.run_url, stored.notes) == ([0.83, 0.84], RUN, "focal loss")
