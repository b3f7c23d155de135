"""What every request to the app shares: address, signature, trigger ids, response_urls."""

from __future__ import annotations

import secrets
import time
from typing import Any

from sandbox import responses
from sandbox.delivery import deliver, payload_body
from sandbox.records import Delivery, ResponseTarget, Trigger
from sandbox.signing import sign
from sandbox.state import World

FORM = "application/x-www-form-urlencoded"


class SignedRequests:
    """The base of each kind of request the emulator delivers to the app."""

    world: World
    signing_secret: str
    app_url: str | None
    base_url: str

    def sign(
        self, body: bytes, *, timestamp: int | None = None, secret: str | None = None
    ) -> dict[str, str]:
        """X-Slack-Request-Timestamp and X-Slack-Signature headers for a body."""
        return sign(
            body=body,
            secret=secret if secret is not None else self.signing_secret,
            timestamp=timestamp if timestamp is not None else int(time.time()),
        )

    def _app_url(self) -> str:
        """Where the app listens; required before delivering."""
        if not self.app_url:
            raise RuntimeError("set SlackEmulator.app_url before delivering requests to the app")
        return self.app_url

    def _post_payload(self, payload: dict[str, Any]) -> Delivery:
        """Deliver an interaction payload, signed."""
        return deliver(
            url=self._app_url(),
            body=payload_body(payload),
            content_type=FORM,
            secret=self.signing_secret,
        )

    def _trigger(self, *, team_id: str, user_id: str) -> str:
        """A fresh trigger_id, valid for three seconds."""
        trigger_id = f"{self.world.next_id('')}.{int(time.time())}.{secrets.token_hex(16)}"
        with self.world.lock:
            self.world.triggers[trigger_id] = Trigger(
                team_id=team_id, user_id=user_id, issued_at=time.time()
            )
        return trigger_id

    def _response_url(self, target: ResponseTarget) -> str:
        """A fresh response_url for the target."""
        return responses.issue(world=self.world, base_url=self.base_url, target=target)
