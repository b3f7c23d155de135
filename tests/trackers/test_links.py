"""Where a pasted MLflow link's run and server are: MLflow's own UI and Databricks'."""

from __future__ import annotations

import pytest

from bot.experiments.runlinks import mlflow_run_id
from bot.trackers.mlflow import same_server, server_url

RUN = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"


@pytest.mark.parametrize(
    ("link", "server"),
    [
        (f"https://mlflow.example.com/#/experiments/3/runs/{RUN}", "https://mlflow.example.com"),
        (
            f"https://mlflow.example.com/tracking/#/experiments/3/runs/{RUN}/artifacts",
            "https://mlflow.example.com/tracking",
        ),
        (
            f"https://adb-1234.5.azuredatabricks.net/ml/experiments/3/runs/{RUN}?o=1234",
            "https://adb-1234.5.azuredatabricks.net",
        ),
        (
            f"https://dbc-ab12.cloud.databricks.com/ml/experiments/77/runs/{RUN}/model",
            "https://dbc-ab12.cloud.databricks.com",
        ),
    ],
)
def test_a_run_link_gives_its_run_and_its_server(link, server):
    assert mlflow_run_id(link) == RUN
    assert server_url(link) == server


def test_a_link_that_is_no_run_has_none():
    assert mlflow_run_id("https://mlflow.example.com/#/experiments/3") is None


def test_the_token_goes_only_to_the_connected_host():
    connected = "https://mlflow.example.com"
    assert same_server(f"https://MLflow.example.com/#/experiments/1/runs/{RUN}", connected)
    assert not same_server(f"https://mlflow.attacker.example/#/experiments/1/runs/{RUN}", connected)
