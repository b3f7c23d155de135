"""`/ritual connect mlflow`, `connections`, `disconnect`: checked against a real MLflow
server on save, the token sealed and never shown, only admins changing it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sandbox.tracking_server import free_port
from storage.trackers import TrackerConnection
from tests.conftest import ALICE, TEAM
from tests.support.slack import rendered
from tests.trackers.conftest import ritual

TOKEN = "mlflow-token-4c1d9e"


def told(bot) -> str:
    """Everything the person was told after the ack (through the response URL)."""
    return " ".join(rendered(r.body) for r in bot.slack.responses)


def stored(bot) -> list[TrackerConnection]:
    with bot.runtime.db.reading() as session:
        return list(session.scalars(select(TrackerConnection)))


@pytest.mark.mlflow
def test_connecting_mlflow_checks_it_and_keeps_the_token_sealed(bot, mlflow_server):
    ack = ritual(bot, f"connect mlflow {mlflow_server.url}/#/experiments/1 {TOKEN}")

    assert "Checking MLflow" in rendered(ack)
    assert f"Connected MLflow at {mlflow_server.url}" in told(bot)
    [connection] = stored(bot)
    assert connection.team_id == TEAM and connection.url == mlflow_server.url
    assert connection.token and TOKEN not in connection.token

    listed = rendered(ritual(bot, "connections"))
    assert mlflow_server.url in listed and "with a token" in listed
    assert TOKEN not in listed + told(bot) + rendered(ack)


@pytest.mark.mlflow
def test_an_address_that_is_not_mlflow_is_refused_saying_what_to_give(bot, mlflow_server):
    ritual(bot, f"connect mlflow {mlflow_server.url}/not-mlflow")

    assert "does not look like an MLflow tracking server" in told(bot)
    assert "https://mlflow.example.com" in told(bot)
    assert stored(bot) == []


def test_an_unreachable_host_is_told_and_nothing_saved(bot):
    ritual(bot, f"connect mlflow http://127.0.0.1:{free_port()}")

    assert "Could not reach MLflow" in told(bot) and stored(bot) == []


@pytest.mark.parametrize(
    ("status", "said"),
    [(401, "refused the token (401)"), (403, "may not read experiments (403)")],
)
def test_a_refused_token_is_told_and_nothing_saved(bot, refusing_server, status, said):
    refusing_server.status = status
    ritual(bot, f"connect mlflow http://127.0.0.1:{refusing_server.server_port} {TOKEN}")

    assert said in told(bot) and TOKEN not in told(bot)
    assert stored(bot) == []


def test_only_a_workspace_admin_connects_or_disconnects(bot):
    answer = ritual(bot, "connect mlflow https://mlflow.example.com", user=ALICE)
    assert "only a workspace admin" in rendered(answer)
    answer = ritual(bot, "disconnect mlflow", user=ALICE)
    assert "only a workspace admin" in rendered(answer)
    assert stored(bot) == []


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("connect mlflow", "Give the MLflow server's address"),
        ("connect mlflow mlflow.example.com", "starting with https://"),
        ("connect neptune https://x.example.com", "not 'neptune'"),
        ("disconnect", "Say which tracker to disconnect"),
    ],
)
def test_malformed_connect_says_what_to_type(bot, text, said):
    assert said in rendered(ritual(bot, text))
    assert stored(bot) == []


@pytest.mark.mlflow
def test_disconnecting_forgets_the_address_and_token(bot, mlflow_server):
    ritual(bot, f"connect mlflow {mlflow_server.url} {TOKEN}")
    assert "Disconnected MLflow" in rendered(ritual(bot, "disconnect mlflow"))
    assert stored(bot) == []
    assert "No tracker is connected" in rendered(ritual(bot, "connections"))
