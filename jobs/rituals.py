"""Ritual job runners, by kind: each runs one claimed occurrence of a ritual.

A kind registers a runner in RUNNERS with the signature
`run(*, db, client, ritual_id, occurrence, scheduled_for)`, where `occurrence` is the
claimed key (see bot.schedule.parse_key) and `scheduled_for` its UTC instant; when its
occurrences fall is bot.rituals' to say.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from slack_sdk import WebClient

from jobs import digest, standup, watch
from storage.db import Database
from storage.rituals import RitualKind


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
