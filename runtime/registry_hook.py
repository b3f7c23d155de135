"""POST /hooks/mlflow/<hook key>: MLflow's model registry tells a problem of its model.

Registered in MLflow by `/problem P-12 model <name>`. Nothing in a delivery is read or acted
on before its HMAC signature holds under the link's secret (bot.registry.events); then
the event is queued under the problem's card once per delivery id, and sent at once.
MLflow retries only on 429 and 5xx, so anything else is answered for good.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any

from bot.errors import NotFound
from bot.registry import events
from bot.registry import service as registry
from jobs import registry as registry_messages
from jobs.outbox import PERSON_WAITING_PATIENCE, Sender
from runtime.hooks import DATABASE_FAILURES, Answer, refused
from storage.db import Database
from storage.secrets import SecretBox

log = logging.getLogger(__name__)

PREFIX = registry.HOOK_PATH
HOOK_KEY = re.compile(r"[0-9a-f]{32}")
UNKNOWN = (
    "No problem follows a model through this webhook: it was unlinked or replaced "
    "(`/problem P-12 model <name>` in Slack registers a new one). Delete it in MLflow."
)


class RegistryHook:
    def __init__(
        self,
        *,
        db: Database,
        sender: Sender,
        box: SecretBox | None,
        now: Callable[[], float] = time.time,
    ):
        self.db, self.sender, self.box, self.now = db, sender, box, now

    def answer(self, *, method: str, path: str, environ: dict[str, Any], raw: bytes) -> Answer:
        """The answer to one delivery; 503 when the database could not be used, which MLflow
        retries with the same delivery id."""
        try:
            return self._answer(method=method, path=path, environ=environ, raw=raw)
        except DATABASE_FAILURES as error:
            log.warning("mlflow webhook: the database failed (%s)", type(error).__name__)
            return refused(
                "503 Service Unavailable", "database unavailable", "Try again in a minute."
            )

    def _answer(self, *, method: str, path: str, environ: dict[str, Any], raw: bytes) -> Answer:
        if method != "POST":
            return refused("405 Method Not Allowed", "method not allowed", "MLflow POSTs here.")
        key = path.removeprefix(PREFIX)
        hook = None
        if HOOK_KEY.fullmatch(key):
            with self.db.reading() as session:
                hook = registry.hook(session, hook_key=key, box=self.box)
        if hook is None:
            return refused("404 Not Found", "unknown webhook", UNKNOWN)
        delivery = events.Delivery(
            delivery_id=environ.get("HTTP_X_MLFLOW_DELIVERY_ID", ""),
            timestamp=environ.get("HTTP_X_MLFLOW_TIMESTAMP", ""),
            signature=environ.get("HTTP_X_MLFLOW_SIGNATURE", ""),
        )
        why = events.unsigned(delivery, raw, secret=hook.secret, now=self.now())
        if why is not None:
            log.warning("refused an MLflow delivery for P-%s: %s", hook.number, why)
            return refused("401 Unauthorized", "invalid signature", why)
        event = events.read(raw)
        if event is None or event.model != hook.model:
            return Answer("200 OK", {"posted": False, "why": "not an event of this model"})
        try:
            with self.db.transaction() as session:
                queued = registry_messages.model_event(
                    session,
                    team_id=hook.team_id,
                    number=hook.number,
                    event=event,
                    delivery_id=delivery.delivery_id,
                )
        except NotFound as error:
            return Answer("200 OK", {"posted": False, "why": error.message})
        sent = self.sender.send([queued], patience=PERSON_WAITING_PATIENCE) > 0
        return Answer("200 OK", {"posted": True, "sent": sent})
