"""Who took part in a standup, day by day: prompted, answered, away; and each person's
response rate over the last four weeks.

A person prompted counts whether they answered or not; an answer counts its author as
prompted (a prompt sent before the outbox kept it, or by hand); time away excuses a day, so
it counts neither for nor against the rate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.standup.service import PROMPT, message_prefix, ritual_row_for_channel
from storage import outbox
from storage.rituals import Away, Ritual, RitualRun, StandupAnswer

RATE_DAYS = 28


@dataclass(frozen=True, kw_only=True)
class DayRoll:
    """One standup day: who was prompted, who answered, who was away."""

    day: date
    prompted: frozenset[str]
    answered: frozenset[str]
    away: frozenset[str]

    @property
    def silent(self) -> frozenset[str]:
        """Prompted, not away, and no answer."""
        return self.prompted - self.answered - self.away


@dataclass(frozen=True, kw_only=True)
class Rate:
    """Of the days `user_id` was prompted and not away, how many they answered."""

    user_id: str
    answered: int
    expected: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.expected) if self.expected else 0


def rate_window(last: date) -> tuple[date, date]:
    """The four weeks of days that end with `last`."""
    return last - timedelta(days=RATE_DAYS - 1), last


def rates(rolls: Iterable[DayRoll]) -> tuple[Rate, ...]:
    """Each person's response rate over `rolls`, lowest first, then by id. Pure."""
    answered: dict[str, int] = defaultdict(int)
    expected: dict[str, int] = defaultdict(int)
    for roll in rolls:
        for user_id in roll.prompted | roll.answered:
            if user_id in roll.answered or user_id not in roll.away:
                expected[user_id] += 1
            answered[user_id] += user_id in roll.answered
    listed = [Rate(user_id=u, answered=answered[u], expected=n) for u, n in expected.items()]
    return tuple(sorted(listed, key=lambda r: (r.answered / r.expected, r.user_id)))


def rolls(
    session: Session,
    *,
    team_id: str,
    ritual_id: int,
    first: date,
    last: date,
    people: Iterable[str] = (),
) -> tuple[DayRoll, ...]:
    """Each day from `first` through `last` that somebody was prompted or answered, in order.
    `people` are those who take part now, so their time away shows on a day nobody prompted
    them."""
    prompted = _prompted(session, team_id=team_id, ritual_id=ritual_id, first=first, last=last)
    answered = _answered(session, team_id=team_id, ritual_id=ritual_id, first=first, last=last)
    days = sorted(set(prompted) | set(answered))
    everyone = set(people).union(*prompted.values(), *answered.values())
    away = session.execute(
        select(Away.user_id, Away.starts_on, Away.ends_on).where(
            Away.team_id == team_id,
            Away.starts_on <= last,
            Away.ends_on >= first,
            Away.user_id.in_(sorted(everyone)),
        )
    ).all()
    return tuple(
        DayRoll(
            day=day,
            prompted=frozenset(prompted[day] | answered[day]),
            answered=frozenset(answered[day]),
            away=frozenset(
                a.user_id
                for a in away
                if a.starts_on <= day <= a.ends_on and a.user_id not in answered[day]
            ),
        )
        for day in days
    )


def of_channel(
    session: Session, *, team_id: str, channel_id: str, first: date, last: date
) -> tuple[DayRoll, ...]:
    """The rolls of the channel's standup (none if it has no standup)."""
    ritual: Ritual | None = ritual_row_for_channel(session, team_id=team_id, channel_id=channel_id)
    if ritual is None:
        return ()
    return rolls(
        session,
        team_id=team_id,
        ritual_id=ritual.id,
        first=first,
        last=last,
        people=(ritual.roster or {}).keys(),
    )


def prompted_on(
    session: Session,
    *,
    team_id: str,
    ritual_id: int,
    day: date,
    queued_by: datetime | None = None,
) -> set[str]:
    """Whose prompt for `day` reached Slack (queued by `queued_by`, when given), read from
    the keys the outbox sent them under."""
    return _prompted(
        session, team_id=team_id, ritual_id=ritual_id, first=day, last=day, until=queued_by
    )[day]


def _prompted(
    session: Session,
    *,
    team_id: str,
    ritual_id: int,
    first: date,
    last: date,
    until: datetime | None = None,
) -> dict[date, set[str]]:
    """Whose prompt reached Slack, by day, in one read of the standup's keys: those queued
    since the day before `first` (a prompt is queued on its day, in some zone), each day
    then read from its key (`standup:4:2026-11-27:prompt:U1`), as a range of keys in SQL
    would follow the database's collation, not ISO order."""
    since = datetime.combine(first - timedelta(days=1), time(0), UTC)
    prefix = message_prefix(ritual_id)
    keys = outbox.sent_keys(session, team_id=team_id, prefix=prefix, since=since, until=until)
    by_day: dict[date, set[str]] = defaultdict(set)
    for key in keys:
        parts = key.split(":")
        if len(parts) == 5 and parts[3] == PROMPT:
            day = date.fromisoformat(parts[2])
            if first <= day <= last:
                by_day[day].add(parts[4])
    return by_day


def _answered(
    session: Session, *, team_id: str, ritual_id: int, first: date, last: date
) -> dict[date, set[str]]:
    """Who answered, by day: each day's answers hang on a run whose key starts with it."""
    rows = session.execute(
        select(RitualRun.occurrence, StandupAnswer.user_id)
        .join(StandupAnswer, StandupAnswer.run_id == RitualRun.id)
        .where(
            RitualRun.team_id == team_id,
            RitualRun.ritual_id == ritual_id,
            RitualRun.occurrence >= first.isoformat(),
            RitualRun.occurrence < (last + timedelta(days=1)).isoformat(),
            StandupAnswer.team_id == team_id,
        )
    )
    by_day: dict[date, set[str]] = defaultdict(set)
    for occurrence, user_id in rows:
        by_day[date.fromisoformat(occurrence[:10])].add(user_id)
    return by_day
