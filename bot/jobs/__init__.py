"""Ritual job runners, by kind: each runs one claimed occurrence of a ritual.

A kind registers a runner in RUNNERS with the signature
`run(*, db, client, ritual_id, occurrence, scheduled_for)`, where `occurrence` is the
claimed key (see bot.schedule.parse_key) and `scheduled_for` its UTC instant. Its
occurrences come from PLANNERS[kind](ritual), or by default from `daily_plan`: one "post"
step at the ritual's local time in its timezone, on its weekdays, holidays skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from slack_sdk import WebClient

from bot import standups
from bot.jobs import digest, standup
from bot.schedule import Plan, Step, parse_holidays
from storage.db import Database
from storage.models import Ritual, RitualKind


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


def daily_plan(ritual: Ritual) -> Plan:
    """One step, "post", at the ritual's local time in its own timezone."""
    return Plan(
        weekdays=frozenset(ritual.weekdays),
        zones=(ritual.timezone,),
        steps=(Step("post", ritual.local_time),),
        holidays=parse_holidays(ritual.holidays),
    )


RUNNERS: dict[RitualKind, Runner] = {
    RitualKind.STANDUP: standup.run,
    RitualKind.DIGEST: digest.run,
}
PLANNERS: dict[RitualKind, Callable[[Ritual], Plan]] = {RitualKind.STANDUP: standups.plan}
# How late an occurrence missed while no scheduler was running is still worth delivering.
GRACE: dict[RitualKind, timedelta] = {RitualKind.STANDUP: timedelta(hours=2)}
DEFAULT_GRACE = timedelta(hours=2)


def plan_for(ritual: Ritual) -> Plan:
    return PLANNERS.get(ritual.kind, daily_plan)(ritual)


def grace_for(kind: RitualKind) -> timedelta:
    return GRACE.get(kind, DEFAULT_GRACE)
