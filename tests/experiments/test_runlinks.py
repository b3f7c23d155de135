"""Run links are recognised and labelled; anything else is a plain link; bad URLs refused."""

from __future__ import annotations

import pytest

from bot.experiments.runlinks import problem_with, recognise


@pytest.mark.parametrize(
    ("url", "kind", "label"),
    [
        (
            "https://mlflow.acme.io/#/experiments/3/runs/0f1e2d3c4b5a69788796a5b4c3d2e1f0",
            "mlflow",
            "MLflow run 0f1e2d3c4b5a",
        ),
        (
            "https://dbc-1.cloud.databricks.com/ml/experiments/123/runs/abcd1234",
            "mlflow",
            "MLflow run abcd1234",
        ),
        ("http://localhost:5000/#/experiments/0/runs/r1", "mlflow", "MLflow run r1"),
        ("https://wandb.ai/acme/recall/runs/3kx9q2", "wandb", "W&B run recall/3kx9q2"),
        (
            "https://wandb.ai/acme/recall/runs/3kx9q2?workspace=user",
            "wandb",
            "W&B run recall/3kx9q2",
        ),
        (
            "https://github.com/acme/ranker/commit/9fceb02d0ae598e95dc970b74767f19372d61af8",
            "github",
            "GitHub commit acme/ranker@9fceb02",
        ),
        (
            "https://gitlab.com/acme/ml/ranker/-/commit/9fceb02d0ae5",
            "gitlab",
            "GitLab commit acme/ml/ranker@9fceb02",
        ),
        ("https://github.com/acme/ranker/pull/12", "link", "github.com"),
        ("https://colab.research.google.com/drive/1abc", "link", "colab.research.google.com"),
    ],
)
def test_links_are_recognised_and_labelled(url, kind, label):
    link = recognise(url)
    assert (link.kind, link.label, link.url) == (kind, label, url)


@pytest.mark.parametrize(
    "url",
    ["wandb.ai/acme/x/runs/1", "ftp://files/run", "javascript:alert(1)", "https://a.b/x|<!here>"],
)
def test_what_is_not_a_web_link_is_refused_with_the_reason(url):
    assert problem_with(url)


def test_a_good_link_has_no_problem():
    assert problem_with("https://wandb.ai/acme/recall/runs/3kx9q2") is None
