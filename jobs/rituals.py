"""Ritual job runners, by kind: each runs one claimed occurrence of a ritual.

A kind registers a runner in RUNNERS with the signature
`run(*, db, client, ritual_id, occurrence, scheduled_for)`, where `occurrence` is the
claimed key (see bot.schedule.parse_key) and `scheduled_for` its UTC instant; when its
occurrences fall is bot.rituals' to say. The watch's runner also reads MLflow runs, with
the token the clock's secret box opens (`runners`).
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Protocol

from slack_sdk import WebClient

from jobs import digest, standup, watch
from storage.db import Database
from storage.rituals import RitualKind
from storage.secrets import SecretBox


class Runner(Protocol):
    def __call__(
        self,
        *,
        db: Database,
        client: WebClient,
        ritual_id: int,
        occurrence: str,
        scheduled_for: datetime,
    ) -> None: ...


RUNNERS: dict[RitualKind, Runner] = {
    RitualKind.STANDUP: standup.run,
    RitualKind.DIGEST: digest.run,
    RitualKind.WATCH: watch.run,
}


def runners(secrets: SecretBox | None) -> dict[RitualKind, Runner]:
    """RUNNERS, the watch's given what opens the tracker's token."""
    return {**RUNNERS, RitualKind.WATCH: partial(watch.run, secrets=secrets)}
