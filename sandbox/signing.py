"""Slack request signing (v0 HMAC-SHA256)."""

import hashlib
import hmac


def sign(*, body: bytes, secret: str, timestamp: int) -> dict[str, str]:
    """The headers Slack sends to prove a request body came from it."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}
