"""MLflow's model registry over its REST API: find a registered model, and register or
delete the webhook that tells ritualbot of its new versions and aliases (MLflow 3.3+).

MLflow sends every registry event to every webhook subscribed to it, whatever the model:
the receiving end (runtime/registry_hook.py) keeps only its problem's model's events.
"""

from __future__ import annotations

import httpx

from bot.trackers.mlflow import TrackerError, call, server_url

# Versions created, and aliases set (`champion`, `production`): what a problem's thread hears.
EVENTS = (
    {"entity": "MODEL_VERSION", "action": "CREATED"},
    {"entity": "MODEL_VERSION_ALIAS", "action": "CREATED"},
)


def find_model(
    url: str, token: str | None, name: str, *, transport: httpx.BaseTransport | None = None
) -> None:
    """Raise TrackerError unless the server has a registered model called `name`."""
    call(
        url,
        token,
        "GET",
        "/registered-models/get",
        params={"name": name},
        transport=transport,
        missing=(
            f"MLflow at {server_url(url)} has no registered model named `{name}`: check its "
            "name in MLflow's Models page (names are case-sensitive)."
        ),
    )


def create_webhook(
    url: str,
    token: str | None,
    *,
    name: str,
    hook_url: str,
    secret: str,
    transport: httpx.BaseTransport | None = None,
) -> str:
    """Register a webhook for the registry's events, signed with `secret`; MLflow's id of it."""
    answer = call(
        url,
        token,
        "POST",
        "/webhooks",
        body={"name": name, "url": hook_url, "events": list(EVENTS), "secret": secret},
        transport=transport,
        missing=(
            f"MLflow at {server_url(url)} refused the webhook for {hook_url}: it takes "
            "webhooks from MLflow 3.3 on, and only to addresses its "
            "MLFLOW_WEBHOOK_ALLOWED_SCHEMES allows (https by default)."
        ),
    )
    webhook_id = (answer.get("webhook") or {}).get("webhook_id")
    if not isinstance(webhook_id, str) or not webhook_id:
        raise TrackerError(f"MLflow at {server_url(url)} did not say which webhook it made.")
    return webhook_id


def delete_webhook(
    url: str, token: str | None, webhook_id: str, *, transport: httpx.BaseTransport | None = None
) -> None:
    """Delete the webhook; one MLflow no longer has is as good as deleted."""
    try:
        call(url, token, "DELETE", f"/webhooks/{webhook_id}", transport=transport, missing="gone")
    except TrackerError as error:
        if error.message != "gone":
            raise
