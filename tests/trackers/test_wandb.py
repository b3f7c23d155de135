"""W&B: connect with an API key, paste a run link, get its number.

W&B cannot run locally, so these tests talk to a stand-in at the network edge that answers
the two queries ritualbot sends with responses shaped from W&B's public GraphQL schema
(`viewer { id username entity teams { edges { node { name } } } }`;
`project(name, entityName) { run(name) { name state
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


# The key's user: their own entity, and the teams they are in.
VIEWER = {
    "id": "VXNlcjo0Mg==",
    "username": "al",
    "entity": "al",
    "teams": {"edges": [{"node": {"name": "acme"}}]},
}
ASKED: list[tuple[str, str, str]] = []  # the runs asked for, with the key


class WandbStandIn(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        expected = "Basic " + base64.b64encode(f"api:{KEY}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            return self._answer(401, {"errors": [{"message": "user is not logged in"}]})
        asked = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if "viewer" in asked["query"]:
            return self._answer(200, {"data": {"viewer": VIEWER}})
        v = asked["variables"]
        ASKED.append((v["entity"], v["project"], v["run"]))
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
    ASKED.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), WandbStandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def churn_recall(bot) -> None:
    """P-1, read from W&B by its summary metric `val/recall@10`."""
    Seed(bot).problem(
        "Churn recall", metric_name="recall", metric_key="val/recall@10", baseline=0.7,
        target=0.8, channel_id=CHANNEL,
    )  # fmt: skip


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
    churn_recall(bot)
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


def test_connecting_wandb_for_an_entity_checks_the_key_is_in_it(bot, wandb_api):
    ritual(bot, f"connect wandb {KEY} acme {wandb_api}")
    assert "for the runs of `acme`" in told(bot)

    ritual(bot, "connections")
    assert "for the runs of `acme`" in told(bot)
    with bot.runtime.db.reading() as session:
        [connection] = session.scalars(select(TrackerConnection)).all()
    assert (connection.entity, connection.url) == ("acme", wandb_api)


def test_an_entity_the_keys_user_is_not_in_is_refused_and_nothing_saved(bot, wandb_api):
    ritual(bot, f"connect wandb {KEY} {wandb_api} globex")

    assert "is not in the entity `globex`" in told(bot)
    assert "`al`, `acme`" in told(bot)  # the ones it could be
    with bot.runtime.db.reading() as session:
        assert session.scalars(select(TrackerConnection)).all() == []


def test_a_badly_typed_entity_says_what_an_entity_looks_like(bot, wandb_api):
    said = rendered(ritual(bot, f"connect wandb {KEY} acme/churn {wandb_api}"))

    assert "'acme/churn' is not a W&amp;B entity name" in said
    assert "`/ritual connect wandb &lt;api key&gt; [entity]`" in said
    with bot.runtime.db.reading() as session:
        assert session.scalars(select(TrackerConnection)).all() == []


def test_a_run_of_another_entity_is_not_read_with_the_key_and_says_why(bot, wandb_api):
    churn_recall(bot)
    ritual(bot, f"connect wandb {KEY} al {wandb_api}")  # Al's own runs only

    experiment(bot, "P-1 https://wandb.ai/acme/churn/runs/h4x9k2 tried focal loss")

    assert ASKED == []  # the key never went to acme's run
    assert "W&amp;B is connected for the runs of `al`" in told(bot)
    assert "/ritual connect wandb &lt;api key&gt; acme" in told(bot)
    with bot.runtime.db.reading() as session:
        fetch = session.scalars(select(RunFetch)).one()
        row = session.scalars(select(Experiment)).one()
    assert fetch.state == FetchState.FAILED and row.value is None  # logged, without a value
