"""`/digest` parsing and the channel's digest ritual: its weekly schedule and manual posts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import UsageError
from storage import queries
from storage.rituals import Ritual, RitualKind, RitualRun
from storage.types import utcnow
from storage.upsert import insert

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
TIME = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")
SCHEDULE_USAGE = (
    "Type it as `/digest schedule <day> <HH:MM> [timezone]`, "
    "e.g. `/digest schedule monday 09:00 Europe/London`."
)
# A second `/digest now` in a channel this soon after the first is a double click.
REPOST_GUARD = timedelta(seconds=60)
# The word after `/digest now` that asks for the whole week again.
FULL = "full"
# A digest ritual made by `/digest now` alone is off until scheduled; this is its placeholder time.
UNSCHEDULED_TIME = time(9, 0)


@dataclass(frozen=True)
class Preview:
    pass


@dataclass(frozen=True)
class PostNow:
    # After an earlier digest this week, `/digest now` posts only what changed since it;
    # `/digest now full` asks for the whole week again.
    full: bool = False


@dataclass(frozen=True)
class Schedule:
    weekday: int
    local_time: time
    timezone: str | None


@dataclass(frozen=True)
class TurnOff:
    pass


@dataclass(frozen=True)
class Help:
    pass


DigestCommand = Preview | PostNow | Schedule | TurnOff | Help


def weekday(text: str) -> int:
    """`monday`, `Mon` or `mo` → 1 (ISO); anything else is a usage error."""
    word = text.strip().lower()
    matches = [n for n, day in enumerate(DAYS, start=1) if len(word) >= 2 and day.startswith(word)]
    if len(matches) != 1:
        raise UsageError(
            f"'{text[:20]}' is not a day of the week. Use a day name such as monday or mon. "
            + SCHEDULE_USAGE
        )
    return matches[0]


def local_time(text: str) -> time:
    match = TIME.match(text.strip())
    if not match:
        raise UsageError(
            f"'{text[:20]}' is not a time of day. Use 24-hour HH:MM, such as 09:00 or 16:30. "
            + SCHEDULE_USAGE
        )
    return time(int(match.group(1)), int(match.group(2)))


@cache
def _zones() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def timezone(text: str) -> str:
    """An IANA timezone name, spelled as the tz database spells it."""
    name = _zones().get(text.strip().lower())
    if name is None:
        raise UsageError(
            f"'{text[:40]}' is not an IANA timezone name. Use one such as Europe/London, "
            "America/New_York or UTC. " + SCHEDULE_USAGE
        )
    return name


def parse(text: str) -> DigestCommand:
    """What `/digest <text>` asks for."""
    words = text.split()
    if not words:
        return Preview()
    verb, rest = words[0].lower(), words[1:]
    if verb == "help" and not rest:
        return Help()
    if verb in ("now", "off") and not rest:
        return PostNow() if verb == "now" else TurnOff()
    if verb == "now" and len(rest) == 1 and rest[0].lower() == FULL:
        return PostNow(full=True)
    if verb == "now":
        raise UsageError(
            f"`/digest now` takes only `{FULL}` after it. Type `/digest now` for what changed "
            f"since this week's last digest, or `/digest now {FULL}` for the whole week."
        )
    if verb in ("off", "help"):
        raise UsageError(f"`/digest {verb}` takes nothing after it. Type just `/digest {verb}`.")
    if verb == "schedule":
        if len(rest) not in (2, 3):
            raise UsageError("Say the day and the time. " + SCHEDULE_USAGE)
        return Schedule(
            weekday=weekday(rest[0]),
            local_time=local_time(rest[1]),
            timezone=timezone(rest[2]) if len(rest) == 3 else None,
        )
    raise UsageError(
        f"`/digest` doesn't know '{words[0][:20]}'. Type `/digest` to preview, `/digest now`, "
        "`/digest schedule monday 09:00` or `/digest off`."
    )


@dataclass(frozen=True, kw_only=True)
class DigestRitual:
    id: int
    team_id: str
    channel_id: str
    weekday: int
    local_time: time
    timezone: str
    enabled: bool
    owner_id: str

    @classmethod
    def of(cls, row: Ritual) -> DigestRitual:
        return cls(
            id=row.id,
            team_id=row.team_id,
            channel_id=row.channel_id,
            weekday=(row.weekdays or [1])[0],
            local_time=row.local_time,
            timezone=row.timezone,
            enabled=row.enabled,
            owner_id=row.owner_id,
        )

    def next_at(self, after: datetime) -> datetime:
        """The next scheduled post after `after`, in the ritual's timezone."""
        zone = ZoneInfo(self.timezone)
        local = after.astimezone(zone)
        days = (self.weekday - local.isoweekday()) % 7
        at = datetime.combine(local.date() + timedelta(days=days), self.local_time, tzinfo=zone)
        return at if at > after else at + timedelta(days=7)


def _ritual(session: Session, *, team_id: str, channel_id: str) -> Ritual | None:
    """The channel's digest ritual, locked until the transaction ends (PostgreSQL)."""
    return session.scalar(
        select(Ritual)
        .where(
            Ritual.team_id == team_id,
            Ritual.kind == RitualKind.DIGEST,
            Ritual.channel_id == channel_id,
        )
        .with_for_update()
    )


def _channel_ritual(session: Session, *, team_id: str, channel_id: str, user_id: str) -> Ritual:
    """The channel's digest ritual, created off (unscheduled) if it has none yet.

    Insert-or-nothing on the unique (team, kind, channel), so two first requests racing
    in one channel share one row instead of one of them failing.
    """
    queries.ensure_workspace(session, team_id=team_id)
    session.execute(
        insert(session, Ritual.__table__)
        .values(
            team_id=team_id,
            kind=RitualKind.DIGEST.value,
            channel_id=channel_id,
            weekdays=[1],
            local_time=UNSCHEDULED_TIME,
            enabled=False,
            owner_id=user_id,
        )
        .on_conflict_do_nothing(index_elements=["team_id", "kind", "channel_id"])
    )
    ritual = _ritual(session, team_id=team_id, channel_id=channel_id)
    assert ritual is not None  # inserted above, or already there
    return ritual


def schedule(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    user_id: str,
    weekday: int,
    local_time: time,
    timezone: str,
) -> DigestRitual:
    """Post the channel's digest every week at this time; whoever schedules it owns it."""
    ritual = _channel_ritual(session, team_id=team_id, channel_id=channel_id, user_id=user_id)
    ritual.weekdays = [weekday]
    ritual.local_time = local_time
    ritual.timezone = timezone
    ritual.enabled = True
    ritual.owner_id = user_id
    session.flush()
    return DigestRitual.of(ritual)


def turn_off(session: Session, *, team_id: str, channel_id: str) -> DigestRitual | None:
    """Stop the weekly post; None when the channel had none scheduled."""
    ritual = _ritual(session, team_id=team_id, channel_id=channel_id)
    if ritual is None or not ritual.enabled:
        return None
    ritual.enabled = False
    session.flush()
    return DigestRitual.of(ritual)


def by_id(session: Session, *, ritual_id: int) -> DigestRitual | None:
    """The scheduler's entry point: it holds a ritual id read from the rituals table."""
    ritual = session.scalar(
        select(Ritual).where(Ritual.id == ritual_id, Ritual.kind == RitualKind.DIGEST)
    )
    return None if ritual is None else DigestRitual.of(ritual)


@dataclass(frozen=True, kw_only=True)
class ManualClaim:
    """A `/digest now` request: the run to post, or when the channel's last one went out."""

    ritual: DigestRitual
    run: RitualRun | None
    posted_at: datetime | None


def claim_now(
    session: Session, *, team_id: str, channel_id: str, user_id: str, request_key: str
) -> ManualClaim:
    """Claim a manual post; a retry of the request, or a second click within a minute, gets none.

    The ritual row is locked (PostgreSQL) or the write lock held (SQLite), so two clicks
    arriving together are decided one after the other. A channel without a digest ritual
    gets one, off, so its manual posts have a ritual to be claimed under.
    """
    ritual = _channel_ritual(session, team_id=team_id, channel_id=channel_id, user_id=user_id)
    now = utcnow()
    recent = session.scalar(
        select(RitualRun.created_at)
        .where(
            RitualRun.ritual_id == ritual.id,
            RitualRun.occurrence.like("now/%"),
            RitualRun.created_at > now - REPOST_GUARD,
        )
        .order_by(RitualRun.created_at.desc())
        .limit(1)
    )
    if recent is not None:
        return ManualClaim(ritual=DigestRitual.of(ritual), run=None, posted_at=recent)
    run = queries.claim_run(
        session,
        team_id=team_id,
        ritual_id=ritual.id,
        occurrence=f"now/{request_key}",
        scheduled_for=now,
        started_by=user_id,
    )
    return ManualClaim(
        ritual=DigestRitual.of(ritual), run=run, posted_at=None if run is not None else now
    )
