"""MLflow's REST API over httpx: check a connection, read a run. Hosted (Databricks) or not.

Every failure is a `TrackerError` whose message says what was wrong and what to do; a
`TrackerDown` (unreachable, timed out, 5xx, 429) is worth trying again later, any other
answer (401, 403, 404, no MLflow there) is not until someone changes something.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from bot.errors import RitualbotError

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
API = "/api/2.0/mlflow"


class TrackerError(RitualbotError):
    """The tracker could not be read; the message is fit to show the person."""


class TrackerDown(TrackerError):
    """The tracker did not answer usefully now; it may later."""


class UnmappedMetric(TrackerError):
    """The run has metrics, and which is the problem's is not known: `keys` are the run's,
    offered on the experiment's card to choose from."""

    def __init__(self, message: str, keys: list[str]):
        super().__init__(message)
        self.keys = keys


@dataclass(frozen=True)
class Run:
    run_id: str
    status: str
    metrics: dict[str, float]
    params: dict[str, str]


def server_url(url: str) -> str:
    """The tracking server's address from what was pasted: no fragment (the UI's route), no
    query, no trailing slash. A pasted run or UI address keeps only its server part."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    for route in ("/ml/experiments", "/experiments", "/#"):
        path = path.split(route, 1)[0]
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def same_server(run_url: str, connected_url: str) -> bool:
    """Whether a run's link is on the connected server (its token is never sent elsewhere)."""
    return urlsplit(run_url).netloc.lower() == urlsplit(connected_url).netloc.lower()


def check(url: str, token: str | None, *, transport: httpx.BaseTransport | None = None) -> None:
    """Raise TrackerError unless `url` is an MLflow server that lets `token` read experiments."""
    _get(url, token, "/experiments/search", {"max_results": 1}, transport=transport)


@cache
def tls() -> ssl.SSLContext:
    """One verifying TLS context for every tracker call: building one (loading the CA
    bundle) took 35 ms of the web worker's CPU per httpx.Client, taken from the acks of the
    commands that follow a pasted run (bench/enrich.py)."""
    return httpx.create_ssl_context()


def get_run(
    url: str, token: str | None, run_id: str, *, transport: httpx.BaseTransport | None = None
) -> Run:
    answer = _get(url, token, "/runs/get", {"run_id": run_id}, transport=transport, run=run_id)
    run = answer.get("run") or {}
    data = run.get("data") or {}
    return Run(
        run_id=run_id,
        status=str((run.get("info") or {}).get("status") or "UNKNOWN"),
        metrics={m["key"]: float(m["value"]) for m in data.get("metrics") or [] if "key" in m},
        params={p["key"]: str(p.get("value")) for p in data.get("params") or [] if "key" in p},
    )


def _get(
    url: str,
    token: str | None,
    route: str,
    params: dict[str, Any],
    *,
    transport: httpx.BaseTransport | None,
    run: str | None = None,
) -> dict[str, Any]:
    missing = None if run is None else f"MLflow at {server_url(url)} has no run {run[:40]}"
    return call(
        url,
        token,
        "GET",
        route,
        params=params,
        transport=transport,
        missing=missing and f"{missing}: check the run's link.",
    )


def call(
    url: str,
    token: str | None,
    method: str,
    route: str,
    *,
    params: dict[str, Any] | None = None,
    body: dict[str, Any] | None = None,
    transport: httpx.BaseTransport | None = None,
    missing: str | None = None,
) -> dict[str, Any]:
    """MLflow's answer to one REST call, or a TrackerError saying what was wrong; `missing`
    is what to say when MLflow answers that what was asked for does not exist."""
    base = server_url(url)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with httpx.Client(timeout=TIMEOUT, transport=transport, verify=tls()) as client:
            answer = client.request(
                method, f"{base}{API}{route}", params=params, json=body, headers=headers
            )
    except httpx.TimeoutException:
        raise TrackerDown(f"MLflow at {base} did not answer within 10 seconds.") from None
    except httpx.HTTPError:
        raise TrackerDown(
            f"Could not reach MLflow at {base}: check the address, and that ritualbot's "
            "server can reach it (a VPN or firewall may stand between them)."
        ) from None
    return _read(answer, base=base, missing=missing)


def _read(answer: httpx.Response, *, base: str, missing: str | None) -> dict[str, Any]:
    status = answer.status_code
    if status == 401:
        raise TrackerError(
            f"MLflow at {base} refused the token (401): it is wrong or expired. Connect again "
            f"with a valid one: `/ritual connect mlflow {base} <token>`."
        )
    if status == 403:
        raise TrackerError(
            f"MLflow at {base} accepted the token but it may not read experiments (403). "
            "Give its user read access, or connect with another token."
        )
    if status in (400, 404) and missing is not None and _is_mlflow_error(answer):
        raise TrackerError(missing)
    if status == 429 or status >= 500:
        raise TrackerDown(f"MLflow at {base} answered HTTP {status}; trying again later.")
    body = _json(answer)
    if status != 200 or body is None:
        raise TrackerError(
            f"{base} does not look like an MLflow tracking server (HTTP {status} at "
            f"{API}): give the server's address, e.g. `https://mlflow.example.com`."
        )
    return body


def _json(answer: httpx.Response) -> dict[str, Any] | None:
    try:
        body = answer.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _is_mlflow_error(answer: httpx.Response) -> bool:
    body = _json(answer) or {}
    return body.get("error_code") in (
        "RESOURCE_DOES_NOT_EXIST",
        "NOT_FOUND",
        "INVALID_PARAMETER_VALUE",
    )
