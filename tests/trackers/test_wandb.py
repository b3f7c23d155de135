"""W&B: connect with an API key, paste a run link, get its number.

W&B cannot run locally, so these tests talk to a stand-in at the network edge that answers
the two queries ritualbot sends with responses shaped from W&B's public GraphQL schema
(`viewer { id username }`; `project(name, entityName) { run(name) { name state
summaryMetrics config } }`, summaryMetrics and config as JSON strings), and checks the key
as W&B does (HTTP Basic, user `api`). It is not W&B: a change in W&B's schema would not fail
here."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select

from storage.experiments import Experiment, Outcome
from storage.trackers import FetchState, RunFetch, TrackerConnection
from tests.conftest import ALICE, CHANNEL, TEAM
from tests.support.records import Seed
from tests.support.slack import rendered
from tests.trackers.conftest import ritual

KEY = "0123456789abcdef0123456789abcdef01234567"
RUNS = {
    ("acme", "churn", "h4x9k2"): {
        "name": "h4x9k2",
        "state": "finished",
        "summaryMetrics": json.dumps({"val/recall@10": 0.84, "_step": 99, "note": "text"}),
        "config": json.dumps({"lr": {"value": 0.001, "desc": None}}),
    }
}


class WandbStandIn(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        expected = "Basic " + base64.b64encode(f"api:{KEY}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            return self._answer(401, {"errors": [{"message": "user is not logged in"}]})
        asked = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if "viewer" in asked["query"]:
            return self._answer(200, {"data": {"viewer": {"id": "VXNlcjo0Mg==", "username": "al"}}})
        v = asked["variables"]
        run = RUNS.get((v["entity"], v["project"], v["run"]))
        self._answer(200, {"data": {"project": {"run": run}}})

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def wandb_api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), WandbStandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def told(bot) -> str:
    return " ".join(rendered(r.body) for r in bot.slack.responses)


def experiment(bot, text: str) -> None:
    bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/experiment", text=text
    )
    bot.settle()


def test_connecting_wandb_checks_the_key_and_keeps_it_sealed(bot, wandb_api):
    ritual(bot, f"connect wandb {KEY} {wandb_api}")

    assert "Connected Weights & Biases" in told(bot) and KEY not in told(bot)
    with bot.runtime.db.reading() as session:
        [connection] = session.scalars(select(TrackerConnection)).all()
    assert connection.url == wandb_api and KEY not in connection.token


def test_a_wrong_wandb_key_is_refused_and_nothing_saved(bot, wandb_api):
    ritual(bot, f"connect wandb {'f' * 40} {wandb_api}")

    assert "refused the API key (401)" in told(bot)
    with bot.runtime.db.reading() as session:
        assert session.scalars(select(TrackerConnection)).all() == []


def test_a_pasted_wandb_run_fills_its_summary_metric(bot, wandb_api):
    Seed(bot).problem(
        "Churn recall", metric_name="recall", metric_key="val/recall@10", baseline=0.7,
        target=0.8, channel_id=CHANNEL,
    )  # fmt: skip
    ritual(bot, f"connect wandb {KEY} {wandb_api}")

    experiment(bot, "P-1 https://wandb.ai/acme/churn/runs/h4x9k2 tried focal loss")

    with bot.runtime.db.reading() as session:
        row = session.scalars(select(Experiment)).one()
        fetch = session.scalars(select(RunFetch)).one()
        assert (row.value, row.outcome) == (0.84, Outcome.MET_TARGET)
        assert fetch.state == FetchState.FETCHED and "W&B run h4x9k2" in fetch.source


def test_a_wandb_run_without_a_connection_says_how_to_connect(bot):
    Seed(bot).problem("Churn recall", metric_name="recall", channel_id=CHANNEL)

    experiment(bot, "P-1 https://wandb.ai/acme/churn/runs/h4x9k2 tried focal loss")

    assert "W&amp;B is not connected" in told(bot) or "W&B is not connected" in told(bot)
    assert "/ritual connect wandb" in told(bot)
