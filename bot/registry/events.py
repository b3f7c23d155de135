"""An MLflow registry webhook's delivery: its signature checked, then its event read. Pure.

MLflow signs `{delivery id}.{timestamp}.{body}` with HMAC-SHA256 under the webhook's
secret and sends `v1,<base64 of the digest>` in X-MLflow-Signature, the id and the Unix
timestamp in X-MLflow-Delivery-Id and X-MLflow-Timestamp (mlflow/webhooks/delivery.py).
A delivery stamped more than five minutes from now may be a replay, so it is refused;
one within them is acted on once, by its delivery id.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass

MAX_CLOCK_SKEW_SECONDS = 5 * 60
DELIVERY_ID = re.compile(r"[A-Za-z0-9-]{1,64}")
SIGNATURE = re.compile(r"v1,([A-Za-z0-9+/]{43}=)")
SHIP_ALIASES = ("champion", "production")


@dataclass(frozen=True)
class Delivery:
    delivery_id: str
    timestamp: str
    signature: str


@dataclass(frozen=True, kw_only=True)
class ModelEvent:
    """A new version of a model (with the run it came from), or an alias moved to one."""

    model: str
    version: str
    run_id: str | None = None
    alias: str | None = None

    @property
    def offers_ship(self) -> bool:
        return self.alias is not None and self.alias.lower() in SHIP_ALIASES


def signature(secret: str, *, delivery_id: str, timestamp: str, body: bytes) -> str:
    """The X-MLflow-Signature of `body` as MLflow computes it."""
    signed = f"{delivery_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def unsigned(delivery: Delivery, body: bytes, *, secret: str, now: float) -> str | None:
    """Why this delivery cannot be shown to come from the webhook's MLflow, or None.

    Every header is checked for shape before use, so no header value makes the check fail.
    """
    stamp = delivery.timestamp
    if not DELIVERY_ID.fullmatch(delivery.delivery_id):
        return "the delivery id header is missing or malformed"
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12):
        return "the timestamp header is missing or not a whole number of seconds"
    if abs(now - int(stamp)) > MAX_CLOCK_SKEW_SECONDS:
        return "the timestamp is more than five minutes from now"
    if not SIGNATURE.fullmatch(delivery.signature):
        return "the signature header is missing or malformed"
    expected = signature(secret, delivery_id=delivery.delivery_id, timestamp=stamp, body=body)
    if not hmac.compare_digest(expected, delivery.signature):
        return "the signature does not match"
    return None


def read(body: bytes) -> ModelEvent | None:
    """The event a verified delivery tells of; None for one a problem's thread does not
    hear (another kind of event, or a body without the fields it needs)."""
    try:
        sent = json.loads(body)
    except ValueError:
        return None
    if not isinstance(sent, dict) or not isinstance(sent.get("data"), dict):
        return None
    data, kind = sent["data"], (sent.get("entity"), sent.get("action"))
    model, version = data.get("name"), data.get("version")
    if not isinstance(model, str) or not isinstance(version, str | int):
        return None
    if kind == ("model_version", "created"):
        run_id = data.get("run_id")
        return ModelEvent(
            model=model, version=str(version), run_id=run_id if isinstance(run_id, str) else None
        )
    if kind == ("model_version_alias", "created") and isinstance(data.get("alias"), str):
        return ModelEvent(model=model, version=str(version), alias=data["alias"])
    return None
