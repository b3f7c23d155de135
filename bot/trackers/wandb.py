"""Weights & Biases' public GraphQL API over httpx: check an API key, read a run's summary.

The queries use W&B's public schema (`viewer`, `project(name, entityName).run(name)` with
`state` and `summaryMetrics`, a JSON string); the key goes as HTTP Basic `api:<key>`, as
W&B's own client sends it. W&B Server (self-hosted) answers the same at its own address.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from bot.trackers.mlflow import TIMEOUT, Run, TrackerDown, TrackerError, tls

VIEWER = "query Viewer { viewer { id username entity teams { edges { node { name } } } } }"
RUN = """query Run($entity: String!, $project: String!, $run: String!) {
  project(name: $project, entityName: $entity) {
    run(name: $run) { name state summaryMetrics config }
  }
}"""


def check(
    url: str,
    key: str | None,
    *,
    entity: str | None = None,
    transport: httpx.BaseTransport | None = None,
) -> None:
    """Raise TrackerError unless `key` is a W&B API key that `url` accepts, and its user is
    `entity` or a member of the team `entity`, when given."""
    if not key:
        raise TrackerError(
            "Give your W&B API key (wandb.ai/authorize): `/ritual connect wandb <api key>`."
        )
    data = _query(url, key, VIEWER, {}, transport=transport)
    viewer = data.get("viewer")
    if not viewer:
        raise TrackerError(
            f"W&B at {url} did not accept the API key (no user for it): copy it again "
            "from wandb.ai/authorize."
        )
    if entity is None:
        return
    teams = [e.get("node") or {} for e in (viewer.get("teams") or {}).get("edges") or []]
    theirs = [viewer.get("entity"), *(t.get("name") for t in teams)]
    if entity not in theirs:
        known = ", ".join(f"`{e}`" for e in theirs if e) or "none"
        raise TrackerError(
            f"This API key's W&B user ({viewer.get('username')}) is not in the entity "
            f"`{entity}`; its entities are {known}. Check the name in a run's link "
            "(wandb.ai/<entity>/<project>), or leave it out."
        )


def get_run(
    url: str,
    key: str | None,
    *,
    entity: str,
    project: str,
    run_id: str,
    transport: httpx.BaseTransport | None = None,
) -> Run:
    variables = {"entity": entity, "project": project, "run": run_id}
    data = _query(url, key, RUN, variables, transport=transport)
    run = (data.get("project") or {}).get("run")
    if not run:
        raise TrackerError(
            f"W&B has no run {run_id[:40]} in {entity[:40]}/{project[:40]} that this API key "
            "can read: check the run's link."
        )
    summary = _loaded(run.get("summaryMetrics"))
    config = _loaded(run.get("config"))
    return Run(
        run_id=run_id,
        status=str(run.get("state") or "unknown"),
        metrics={
            k: float(v)
            for k, v in summary.items()
            if isinstance(v, int | float) and not isinstance(v, bool)
        },
        params={k: str(v.get("value") if isinstance(v, dict) else v) for k, v in config.items()},
    )


def _loaded(value: Any) -> dict[str, Any]:
    try:
        loaded = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _query(
    url: str,
    key: str | None,
    query: str,
    variables: dict[str, Any],
    *,
    transport: httpx.BaseTransport | None,
) -> dict[str, Any]:
    endpoint = f"{url.rstrip('/')}/graphql"
    auth = ("api", key) if key else None
    try:
        with httpx.Client(timeout=TIMEOUT, transport=transport, auth=auth, verify=tls()) as client:
            answer = client.post(endpoint, json={"query": query, "variables": variables})
    except httpx.TimeoutException:
        raise TrackerDown(f"W&B at {url} did not answer within 10 seconds.") from None
    except httpx.HTTPError:
        raise TrackerDown(f"Could not reach W&B at {url}.") from None
    status = answer.status_code
    if status == 401:
        raise TrackerError(
            f"W&B at {url} refused the API key (401): copy it again from wandb.ai/authorize "
            "and connect with `/ritual connect wandb <api key>`."
        )
    if status == 403:
        raise TrackerError(f"W&B at {url} accepted the API key but may not read this (403).")
    if status == 429 or status >= 500:
        raise TrackerDown(f"W&B at {url} answered HTTP {status}; trying again later.")
    try:
        body = answer.json()
    except ValueError:
        body = None
    if status != 200 or not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        raise TrackerError(
            f"{url} does not look like W&B's API (HTTP {status} at /graphql): leave the "
            f"address out for wandb.ai, or give your W&B Server's, e.g. `https://wandb.example.com`."
        )
    return body["data"]
