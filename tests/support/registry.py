"""MLflow registry webhooks in tests: the server's list of them, the app's links, and
deliveries signed with MLflow's own signing function."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
from sqlalchemy import select

from sandbox.tracking_server import MlflowServer
from storage.registry import ModelLink
from storage.secrets import SecretBox
from tests.conftest import SECRET_KEY

STAMPED = "2026-11-30T09:00:00+00:00"


def webhooks(server: MlflowServer) -> list[dict[str, Any]]:
    """The webhooks the server has, as its REST API lists them."""
    answer = httpx.get(f"{server.url}/api/2.0/mlflow/webhooks", params={"max_results": 100})
    assert answer.status_code == 200, answer.text
    return answer.json().get("webhooks", [])


def links(bot: Any) -> list[ModelLink]:
    with bot.runtime.db.reading() as session:
        found = list(session.scalars(select(ModelLink).order_by(ModelLink.id)))
        session.expunge_all()
    return found


def deliver(
    bot: Any,
    link: ModelLink,
    payload: Any,
    *,
    timestamp: int,
    delivery_id: str | None = None,
    secret: str | None = None,
) -> httpx.Response:
    """POST a delivery to the link's webhook as MLflow does (mlflow/webhooks/delivery.py),
    signed with the link's secret unless another is given."""
    from mlflow.webhooks.delivery import _generate_hmac_signature

    body = json.dumps(payload)
    delivery_id = delivery_id or str(uuid.uuid4())
    secret = secret or SecretBox([SECRET_KEY]).open(link.secret)
    signature = _generate_hmac_signature(secret, delivery_id, str(timestamp), body)
    headers = {
        "Content-Type": "application/json",
        "X-MLflow-Delivery-Id": delivery_id,
        "X-MLflow-Timestamp": str(timestamp),
        "X-MLflow-Signature": signature,
    }
    return httpx.post(f"{bot.url}/hooks/mlflow/{link.hook_key}", content=body, headers=headers)


def version_created(model: str, version: str = "7", run_id: str = "ab12" * 8) -> dict[str, Any]:
    """What MLflow sends for model_version.created (mlflow/webhooks/types.py)."""
    data = {"name": model, "version": version, "source": f"runs:/{run_id}/model"}
    return {
        "entity": "model_version",
        "action": "created",
        "timestamp": STAMPED,
        "data": data | {"run_id": run_id, "tags": {}, "description": None},
    }


def alias_set(model: str, alias: str, version: str = "7") -> dict[str, Any]:
    """What MLflow sends for model_version_alias.created."""
    return {
        "entity": "model_version_alias",
        "action": "created",
        "timestamp": STAMPED,
        "data": {"name": model, "alias": alias, "version": version},
    }
