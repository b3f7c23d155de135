"""When each kind of ritual happens: its plan of steps, and how late a missed one is still
worth delivering. Pure: the clock and the board both read it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from bot.schedule import Plan, Step, parse_holidays
from bot.standup import service as standups
from storage.rituals import Ritual, RitualKind


def daily_plan(ritual: Ritual) -> Plan:
    """One step, "post", at the ritual's local time in its own timezone."""
    return Plan(
        weekdays=frozenset(ritual.weekdays),
        zones=(ritual.timezone,),
        steps=(Step("post", ritual.local_time),),
        holidays=parse_holidays(ritual.holidays),
    )


PLANNERS: dict[RitualKind, Callable[[Ritual], Plan]] = {RitualKind.STANDUP: standups.plan}
# How late an occurrence missed while no scheduler was running is still worth delivering.
# A watch run asks for whatever is due by its day, so a late one is worth it all day; a
# day missed altogether is caught up by the next day's run.
GRACE: dict[RitualKind, timedelta] = {
    RitualKind.STANDUP: timedelta(hours=2),
    RitualKind.WATCH: timedelta(hours=12),
}
DEFAULT_GRACE = timedelta(hours=2)
LONGEST_GRACE = max([*GRACE.values(), DEFAULT_GRACE])


def plan_for(ritual: Ritual) -> Plan:
    return PLANNERS.get(ritual.kind, daily_plan)(ritual)


def grace_for(kind: RitualKind) -> timedelta:
    return GRACE.get(kind, DEFAULT_GRACE)
