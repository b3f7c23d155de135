"""Signed HTTP delivery of Slack requests to the app."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

import httpx

from sandbox.records import Delivery
from sandbox.signing import sign

TIMEOUT = 10.0


def form_body(fields: dict[str, str]) -> bytes:
    """A form-encoded body, as Slack sends slash commands."""
    return urlencode(fields).encode()


def payload_body(payload: dict[str, Any]) -> bytes:
    """A `payload=<json>` form body, as Slack sends interactions."""
    return urlencode({"payload": json.dumps(payload)}).encode()


def deliver(
    *,
    url: str,
    body: bytes,
    content_type: str,
    secret: str | None,
    timestamp: int | None = None,
    headers: dict[str, str] | None = None,
) -> Delivery:
    """POST a body to the app, signed with `secret` unless it is None, and read the answer."""
    sent = {"Content-Type": content_type, **(headers or {})}
    if secret is not None:
        sent |= sign(body=body, secret=secret, timestamp=timestamp or int(time.time()))
    answer = httpx.post(url, content=body, headers=sent, timeout=TIMEOUT)
    return Delivery(
        status=answer.status_code,
        body=_decoded(answer),
        headers=dict(answer.headers),
        request=(url, body, content_type),
    )


def _decoded(answer: httpx.Response) -> dict[str, Any] | str | None:
    """The answer's body: JSON-decoded when JSON, None when empty."""
    if not answer.content:
        return None
    if "json" in answer.headers.get("content-type", ""):
        return answer.json()
    return answer.text
