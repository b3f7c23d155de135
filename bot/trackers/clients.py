"""Each tracker's client, by kind: check a connection, read a run."""

from __future__ import annotations

import httpx

from bot.trackers import mlflow, wandb
from bot.trackers.mlflow import Run
from storage.trackers import TrackerKind


def check(
    kind: TrackerKind,
    url: str,
    token: str | None,
    *,
    entity: str | None = None,
    transport: httpx.BaseTransport | None = None,
) -> str:
    """The address to keep once the tracker accepted it; TrackerError saying what is wrong."""
    if kind == TrackerKind.WANDB:
        wandb.check(url, token, entity=entity, transport=transport)
        return url.rstrip("/")
    mlflow.check(url, token, transport=transport)
    return mlflow.server_url(url)


def get_run(
    kind: TrackerKind,
    *,
    server: str,
    token: str | None,
    run_id: str,
    path: tuple[str, str] = ("", ""),
    transport: httpx.BaseTransport | None = None,
) -> Run:
    """The run; for W&B, `path` is its entity and project."""
    if kind == TrackerKind.WANDB:
        entity, project = path
        return wandb.get_run(
            server, token, entity=entity, project=project, run_id=run_id, transport=transport
        )
    return mlflow.get_run(server, token, run_id, transport=transport)
