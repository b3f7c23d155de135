"""Standups: the record of a channel's standup, its plan of steps, who takes part, and
`/standup now`. Settings, time away and answers have modules of their own beside this one.
Services take a session."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import NotFound, UsageError
from bot.schedule import Plan, Step, at_plus, local_instant, parse_holidays
from storage import queries
from storage.rituals import Ritual, RitualKind, RitualRun

DEFAULT_QUESTIONS = (
    "What moved since last time?",
    "What's next?",
    "Any blockers?",
    "Any experiment results or surprises?",
)
DEFAULT_TIME = time(9, 30)
DEFAULT_CUTOFF = time(17, 0)
DEFAULT_REMINDER = 60
QUESTION_MAX = 150
QUESTIONS_MAX = 8
ANSWER_MAX = 2500
HOLIDAYS_MAX = 60
AWAY_MAX_DAYS = 366
RULES = ("participant", "team")
PARTICIPANT_RULES = ("channel", "chosen")
PROMPT, REMIND, CLOSE = "prompt", "remind", "close"
NO_STANDUP = "This channel has no standup yet. Type `/standup` here to set one up."


@dataclass(frozen=True, kw_only=True)
class StandupRecord:
    id: int
    team_id: str
    channel_id: str
    weekdays: tuple[int, ...]
    local_time: time
    timezone: str
    timezone_rule: str
    questions: tuple[str, ...]
    participants_rule: str
    participants: tuple[str, ...]
    reminder_minutes: int | None
    cutoff_time: time | None
    holidays: tuple[str, ...]
    enabled: bool
    owner_id: str
    roster: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, row: Ritual) -> StandupRecord:
        return cls(
            id=row.id,
            team_id=row.team_id,
            channel_id=row.channel_id,
            weekdays=tuple(row.weekdays),
            local_time=row.local_time,
            timezone=row.timezone,
            timezone_rule=row.timezone_rule,
            questions=tuple(row.questions),
            participants_rule=row.participants_rule,
            participants=tuple(row.participants),
            reminder_minutes=row.reminder_minutes,
            cutoff_time=row.cutoff_time,
            holidays=tuple(row.holidays),
            enabled=row.enabled,
            owner_id=row.owner_id,
            roster=dict(row.roster or {}),
        )

    def zone_of(self, user_id: str) -> str:
        if self.timezone_rule == "participant":
            return self.roster.get(user_id) or self.timezone
        return self.timezone

    def own_zone(self, user_id: str) -> str:
        """The person's own timezone as Slack last said, whatever zone the standup keeps."""
        return self.roster.get(user_id) or self.zone_of(user_id)

    def cutoff_for(self, user_id: str, day: date) -> datetime:
        """When `user_id`'s answer for `day` stops being editable: the cut-off, their time."""
        zone = self.zone_of(user_id)
        if self.cutoff_time is None:
            return local_instant(day + timedelta(days=1), time(0), zone)
        return local_instant(day, self.cutoff_time, zone)


@dataclass(frozen=True, kw_only=True)
class StartedNow:
    """Today's round of prompts started with `/standup now`: by whom and when, and whether
    the request asking now is the one that started it."""

    record: StandupRecord
    day: date
    started_by: str | None
    started_at: datetime
    ours: bool


@dataclass(frozen=True)
class PromptedNow:
    """Who `/standup now` prompted: sent, still on its way, or refused by Slack."""

    sent: tuple[str, ...]
    waiting: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()


def now_key(day: date) -> str:
    return f"{day.isoformat()}/now"


def message_key(ritual_id: int, day: date, *parts: str) -> str:
    """The outbox key of one of a standup day's messages, e.g. `standup:4:2026-11-27:prompt:U1`."""
    return message_prefix(ritual_id) + ":".join((day.isoformat(), *parts))


def message_prefix(ritual_id: int) -> str:
    """What the outbox keys of all of a standup's messages start with."""
    return f"standup:{ritual_id}:"


def plan(ritual: Ritual | StandupRecord) -> Plan:
    """Prompt at the local time, remind after the delay, close at the cut-off; per zone."""
    per_zone = ritual.timezone_rule == "participant"
    roster = ritual.roster or {}
    zones = tuple(sorted(set(roster.values()))) if per_zone and roster else (ritual.timezone,)
    steps = [Step(PROMPT, ritual.local_time)]
    if ritual.reminder_minutes:
        at, days_after = at_plus(ritual.local_time, ritual.reminder_minutes)
        steps.append(Step(REMIND, at, days_after))
    if ritual.cutoff_time:
        steps.append(Step(CLOSE, ritual.cutoff_time))
    return Plan(
        weekdays=frozenset(ritual.weekdays),
        zones=zones,
        steps=tuple(steps),
        holidays=parse_holidays(ritual.holidays),
        per_zone=per_zone,
    )


# Lookups ----------------------------------------------------------------------------


def for_channel(session: Session, *, team_id: str, channel_id: str) -> StandupRecord | None:
    row = ritual_row_for_channel(session, team_id=team_id, channel_id=channel_id)
    return StandupRecord.of(row) if row else None


def of_channel(session: Session, *, team_id: str, channel_id: str) -> StandupRecord:
    """The channel's standup; a usage error saying how to set one up if there is none."""
    record = for_channel(session, team_id=team_id, channel_id=channel_id)
    if record is None:
        raise UsageError(NO_STANDUP)
    return record


def for_job(session: Session, *, ritual_id: int) -> StandupRecord | None:
    """The standup a scheduled job runs, by the id the scheduler read from this database."""
    row = session.get(Ritual, ritual_id)
    return StandupRecord.of(row) if row and row.kind == RitualKind.STANDUP else None


def get(session: Session, *, team_id: str, ritual_id: int) -> StandupRecord:
    row = ritual_row(session, team_id=team_id, ritual_id=ritual_id)
    return StandupRecord.of(row)


def ritual_row(session: Session, *, team_id: str, ritual_id: int) -> Ritual:
    row = session.scalar(
        select(Ritual).where(
            Ritual.id == ritual_id, Ritual.team_id == team_id, Ritual.kind == RitualKind.STANDUP
        )
    )
    if row is None:
        raise NotFound("That standup no longer exists. Set one up with `/standup` in the channel.")
    return row


def ritual_row_for_channel(session: Session, *, team_id: str, channel_id: str) -> Ritual | None:
    return session.scalar(
        select(Ritual).where(
            Ritual.team_id == team_id,
            Ritual.kind == RitualKind.STANDUP,
            Ritual.channel_id == channel_id,
        )
    )


def set_roster(
    session: Session, *, team_id: str, ritual_id: int, roster: dict[str, str], now: datetime
) -> StandupRecord:
    row = ritual_row(session, team_id=team_id, ritual_id=ritual_id)
    row.roster, row.roster_synced_at = roster, now
    session.flush()
    return StandupRecord.of(row)


def stale_rosters(session: Session, *, older_than: datetime) -> list[tuple[str, int]]:
    """(team_id, ritual_id) of enabled standups whose roster was not read since `older_than`."""
    rows = session.execute(
        select(Ritual.team_id, Ritual.id).where(
            Ritual.kind == RitualKind.STANDUP,
            Ritual.enabled.is_(True),
            (Ritual.roster_synced_at.is_(None)) | (Ritual.roster_synced_at < older_than),
        )
    )
    return [(team_id, ritual_id) for team_id, ritual_id in rows]


# `/standup now` -------------------------------------------------------------------


def run_row(session: Session, *, team_id: str, ritual_id: int, occurrence: str) -> RitualRun | None:
    return session.scalar(
        select(RitualRun).where(
            RitualRun.team_id == team_id,
            RitualRun.ritual_id == ritual_id,
            RitualRun.occurrence == occurrence,
        )
    )


def start_now(
    session: Session, *, team_id: str, channel_id: str, user_id: str, now: datetime
) -> StartedNow:
    """Claim today's hand-started round for `user_id`; who has it if someone did already.

    The round's unique run row is the claim, so of people asking at the same moment exactly
    one sends the prompts, and the others are told who did: today is the standup's own day.
    """
    record = of_channel(session, team_id=team_id, channel_id=channel_id)
    day = now.astimezone(ZoneInfo(record.timezone)).date()
    key = now_key(day)
    claimed = queries.claim_run(
        session,
        team_id=team_id,
        ritual_id=record.id,
        occurrence=key,
        scheduled_for=now,
        started_by=user_id,
    )
    if claimed is not None:
        claimed.state = "done"  # nothing is sent under this run itself
        session.flush()
    row = claimed or run_row(session, team_id=team_id, ritual_id=record.id, occurrence=key)
    assert row is not None
    return StartedNow(
        record=record,
        day=day,
        started_by=row.started_by,
        started_at=row.scheduled_for,
        ours=claimed is not None,
    )


def zone_today(record: StandupRecord, *, user_id: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(record.zone_of(user_id))).date()
