"""Standups: settings, time away, answers and each day's record. Services take a session."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import NotFound, UsageError, ValidationFailed
from bot.schedule import Plan, Step, at_plus, local_instant, next_occurrence, parse_holidays
from bot.text import parse_count, visible
from storage import queries
from storage.models import Away, Ritual, RitualKind, RitualRun, StandupAnswer

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
# Answers that mean "nothing to report", so they raise no blocker.
NOTHING = re.compile(r"^\W*(no(ne|pe)?|nothing|n/?a|nil|-+|—|no blockers?)\W*$", re.IGNORECASE)
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

    def cutoff_for(self, user_id: str, day: date) -> datetime:
        """When `user_id`'s answer for `day` stops being editable: the cut-off, their time."""
        zone = self.zone_of(user_id)
        if self.cutoff_time is None:
            return local_instant(day + timedelta(days=1), time(0), zone)
        return local_instant(day, self.cutoff_time, zone)


@dataclass(frozen=True, kw_only=True)
class SettingsDraft:
    """What the settings form holds, before checks."""

    weekdays: list[str]
    local_time: str | None
    timezone_rule: str | None
    timezone: str | None
    participants_rule: str | None
    participants: list[str]
    questions: str | None
    reminder_minutes: str | None
    cutoff_time: str | None
    holidays: str | None


@dataclass(frozen=True, kw_only=True)
class AnswerRecord:
    id: int
    team_id: str
    ritual_id: int
    channel_id: str
    day: date
    user_id: str
    answers: dict[str, str]
    message_ts: str | None
    edited: bool


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


@dataclass(frozen=True, kw_only=True)
class DaySummary:
    day: date
    answered: tuple[str, ...]
    missing: tuple[str, ...]
    blockers: tuple[tuple[str, str], ...]


def thread_key(day: date) -> str:
    return f"{day.isoformat()}/thread"


def now_key(day: date) -> str:
    return f"{day.isoformat()}/now"


def is_blocker_question(question: str) -> bool:
    return "blocker" in question.lower()


def is_experiment_question(question: str) -> bool:
    return "experiment" in question.lower()


def experiment_results(session: Session, *, team_id: str, answer_id: int) -> str:
    """What someone answered to the experiments question, to prefill an experiment with."""
    answer = session.scalar(
        select(StandupAnswer).where(StandupAnswer.team_id == team_id, StandupAnswer.id == answer_id)
    )
    if answer is None:
        raise NotFound("That standup answer is gone. Log the result with `/experiment` instead.")
    return "\n".join(a for q, a in answer.answers.items() if is_experiment_question(q) and a)


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


# Settings ---------------------------------------------------------------------------


def for_channel(session: Session, *, team_id: str, channel_id: str) -> StandupRecord | None:
    row = _row_for_channel(session, team_id=team_id, channel_id=channel_id)
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
    row = _row(session, team_id=team_id, ritual_id=ritual_id)
    return StandupRecord.of(row)


def _row(session: Session, *, team_id: str, ritual_id: int) -> Ritual:
    row = session.scalar(
        select(Ritual).where(
            Ritual.id == ritual_id, Ritual.team_id == team_id, Ritual.kind == RitualKind.STANDUP
        )
    )
    if row is None:
        raise NotFound("That standup no longer exists. Set one up with `/standup` in the channel.")
    return row


def _row_for_channel(session: Session, *, team_id: str, channel_id: str) -> Ritual | None:
    return session.scalar(
        select(Ritual).where(
            Ritual.team_id == team_id,
            Ritual.kind == RitualKind.STANDUP,
            Ritual.channel_id == channel_id,
        )
    )


def save(
    session: Session, *, team_id: str, channel_id: str, user_id: str, draft: SettingsDraft
) -> StandupRecord:
    """Create or change the channel's standup from the form; every bad field reported at once."""
    values = _checked(draft)
    queries.ensure_workspace(session, team_id=team_id)
    row = _row_for_channel(session, team_id=team_id, channel_id=channel_id)
    if row is None:
        row = Ritual(
            team_id=team_id, kind=RitualKind.STANDUP, channel_id=channel_id, owner_id=user_id
        )
        session.add(row)
    rule_changed = (row.participants_rule, list(row.participants or [])) != (
        values["participants_rule"],
        values["participants"],
    )
    for name, value in values.items():
        setattr(row, name, value)
    row.enabled = True
    if rule_changed:
        row.roster, row.roster_synced_at = None, None
    session.flush()
    return StandupRecord.of(row)


def _checked(draft: SettingsDraft) -> dict[str, object]:
    errors: dict[str, str] = {}
    weekdays = sorted({int(d) for d in draft.weekdays if d in {"1", "2", "3", "4", "5", "6", "7"}})
    if not weekdays:
        errors["weekdays"] = "Pick at least one day."
    local_time = _time(draft.local_time, name="local_time", errors=errors)
    cutoff = _time(draft.cutoff_time, name="cutoff_time", errors=errors)
    rule = draft.timezone_rule if draft.timezone_rule in RULES else "participant"
    zone = (draft.timezone or "").strip() or "UTC"
    if zone not in available_timezones():
        errors["timezone"] = (
            f"'{zone[:40]}' is not a timezone name. Type one like Europe/London or Asia/Kolkata."
        )
    who = draft.participants_rule if draft.participants_rule in PARTICIPANT_RULES else "channel"
    chosen = list(dict.fromkeys(draft.participants))
    if who == "chosen" and not chosen:
        errors["participants"] = "Choose at least one person, or pick 'Everyone in the channel'."
    questions = [q.strip() for q in (draft.questions or "").splitlines() if visible(q)]
    if not questions:
        errors["questions"] = "Ask at least one question, one per line."
    elif len(questions) > QUESTIONS_MAX:
        errors["questions"] = f"Ask at most {QUESTIONS_MAX} questions (there are {len(questions)})."
    elif any(len(q) > QUESTION_MAX for q in questions):
        errors["questions"] = f"Keep each question under {QUESTION_MAX} characters."
    try:
        reminder: int | None = parse_count(draft.reminder_minutes or "", least=1, most=24 * 60)
    except ValueError:  # "no reminder" is the choice worth 0
        reminder = None
    if local_time and cutoff:
        if cutoff <= local_time:
            errors["cutoff_time"] = "The cut-off must come after the standup time, the same day."
        elif reminder:
            reminded, days_later = at_plus(local_time, reminder)
            if days_later or reminded >= cutoff:
                errors["reminder_minutes"] = "The reminder must come before the cut-off."
    holidays = _holidays(draft.holidays, errors)
    if errors:
        raise ValidationFailed(errors)
    return {
        "weekdays": weekdays,
        "local_time": local_time,
        "timezone_rule": rule,
        "timezone": zone,
        "participants_rule": who,
        "participants": chosen if who == "chosen" else [],
        "questions": questions,
        "reminder_minutes": reminder,
        "cutoff_time": cutoff,
        "holidays": holidays,
    }


def _time(value: str | None, *, name: str, errors: dict[str, str]) -> time | None:
    try:
        return time.fromisoformat((value or "").strip()).replace(second=0, microsecond=0)
    except ValueError:
        errors[name] = "Pick a time, such as 09:30."
        return None


def _holidays(text: str | None, errors: dict[str, str]) -> list[str]:
    days: set[date] = set()
    for line in re.split(r"[\s,]+", text or ""):
        if not line:
            continue
        try:
            days.add(date.fromisoformat(line))
        except ValueError:
            errors["holidays"] = f"'{line[:20]}' is not a date. Type one per line, as 2026-12-25."
            return []
    if len(days) > HOLIDAYS_MAX:
        errors["holidays"] = f"List at most {HOLIDAYS_MAX} holidays."
    return [d.isoformat() for d in sorted(days)]


def set_enabled(session: Session, *, team_id: str, channel_id: str, enabled: bool) -> StandupRecord:
    row = _row_for_channel(session, team_id=team_id, channel_id=channel_id)
    if row is None:
        raise UsageError(NO_STANDUP)
    row.enabled = enabled
    session.flush()
    return StandupRecord.of(row)


def set_roster(
    session: Session, *, team_id: str, ritual_id: int, roster: dict[str, str], now: datetime
) -> StandupRecord:
    row = _row(session, team_id=team_id, ritual_id=ritual_id)
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


# Time away --------------------------------------------------------------------------


def declare_away(
    session: Session, *, team_id: str, user_id: str, starts_on: date, ends_on: date
) -> None:
    if ends_on < starts_on:
        raise UsageError(
            f"{ends_on.isoformat()} is in the past. Type a date from today on, "
            "e.g. `/standup skip until 2026-12-31`."
        )
    if (ends_on - starts_on).days > AWAY_MAX_DAYS:
        raise UsageError("Skip at most a year at a time, e.g. `/standup skip until 2026-12-31`.")
    session.add(Away(team_id=team_id, user_id=user_id, starts_on=starts_on, ends_on=ends_on))
    session.flush()


def skip(
    session: Session,
    *,
    record: StandupRecord,
    user_id: str,
    until: date | None,
    now: datetime,
) -> tuple[date, date]:
    """Declare time away: through `until`, or else the person's next standup day only."""
    if until is not None:
        first, last = zone_today(record, user_id=user_id, now=now), until
    else:
        steps = plan(record)
        own = Plan(
            weekdays=steps.weekdays,
            zones=(record.zone_of(user_id),),
            steps=steps.steps[:1],
            holidays=steps.holidays,
        )
        upcoming = next_occurrence(own, now)
        if upcoming is None:
            raise UsageError("This standup has no day coming up. Check its days with `/standup`.")
        first = last = upcoming.day
    declare_away(session, team_id=record.team_id, user_id=user_id, starts_on=first, ends_on=last)
    return first, last


def away_on(session: Session, *, team_id: str, day: date) -> set[str]:
    """Who declared time away covering `day`."""
    return set(
        session.scalars(
            select(Away.user_id).where(
                Away.team_id == team_id, Away.starts_on <= day, Away.ends_on >= day
            )
        )
    )


# Runs -------------------------------------------------------------------------------


def _run_row(
    session: Session, *, team_id: str, ritual_id: int, occurrence: str
) -> RitualRun | None:
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
    row = claimed or _run_row(session, team_id=team_id, ritual_id=record.id, occurrence=key)
    assert row is not None
    return StartedNow(
        record=record,
        day=day,
        started_by=row.started_by,
        started_at=row.scheduled_for,
        ours=claimed is not None,
    )


# Answers ----------------------------------------------------------------------------


def _answer_record(row: StandupAnswer, *, ritual: Ritual, day: date) -> AnswerRecord:
    return AnswerRecord(
        id=row.id,
        team_id=row.team_id,
        ritual_id=ritual.id,
        channel_id=ritual.channel_id,
        day=day,
        user_id=row.user_id,
        answers=dict(row.answers),
        message_ts=row.message_ts,
        edited=row.edited_at is not None,
    )


def save_answer(
    session: Session,
    *,
    team_id: str,
    ritual_id: int,
    day: date,
    user_id: str,
    answers: dict[str, str],
    now: datetime,
) -> AnswerRecord:
    """Store (or replace) a person's answers for the day, until their cut-off."""
    ritual = _row(session, team_id=team_id, ritual_id=ritual_id)
    if now >= StandupRecord.of(ritual).cutoff_for(user_id, day):
        raise UsageError(
            f"The standup for {day:%a %d %b} closed at its cut-off, so this was not saved. "
            "Answer the next one when it comes."
        )
    if any(len(a) > ANSWER_MAX for a in answers.values()):
        raise UsageError(f"Keep each answer under {ANSWER_MAX} characters; nothing was saved.")
    thread = _thread_row(session, team_id=team_id, ritual=ritual, day=day, now=now)
    row = session.scalar(
        select(StandupAnswer).where(
            StandupAnswer.run_id == thread.id, StandupAnswer.user_id == user_id
        )
    )
    if row is None:
        row = StandupAnswer(team_id=team_id, run_id=thread.id, user_id=user_id, answers=answers)
        session.add(row)
    else:
        row.answers, row.edited_at = answers, now
    session.flush()
    return _answer_record(row, ritual=ritual, day=day)


def _thread_row(session: Session, *, team_id: str, ritual: Ritual, day: date, now: datetime):
    queries.claim_run(
        session, team_id=team_id, ritual_id=ritual.id, occurrence=thread_key(day), scheduled_for=now
    )
    row = _run_row(session, team_id=team_id, ritual_id=ritual.id, occurrence=thread_key(day))
    assert row is not None
    return row


def answer_of(
    session: Session, *, team_id: str, ritual_id: int, day: date, user_id: str
) -> AnswerRecord | None:
    ritual = _row(session, team_id=team_id, ritual_id=ritual_id)
    thread = _run_row(session, team_id=team_id, ritual_id=ritual_id, occurrence=thread_key(day))
    if thread is None:
        return None
    row = session.scalar(
        select(StandupAnswer).where(
            StandupAnswer.run_id == thread.id,
            StandupAnswer.user_id == user_id,
            StandupAnswer.team_id == team_id,
        )
    )
    return _answer_record(row, ritual=ritual, day=day) if row else None


def answers_of_day(
    session: Session, *, team_id: str, ritual_id: int, day: date
) -> list[AnswerRecord]:
    ritual = _row(session, team_id=team_id, ritual_id=ritual_id)
    thread = _run_row(session, team_id=team_id, ritual_id=ritual_id, occurrence=thread_key(day))
    if thread is None:
        return []
    rows = session.scalars(
        select(StandupAnswer)
        .where(StandupAnswer.run_id == thread.id, StandupAnswer.team_id == team_id)
        .order_by(StandupAnswer.submitted_at, StandupAnswer.id)
    )
    return [_answer_record(row, ritual=ritual, day=day) for row in rows]


def summary(
    session: Session, *, team_id: str, ritual_id: int, day: date, prompted: set[str]
) -> DaySummary:
    answers = answers_of_day(session, team_id=team_id, ritual_id=ritual_id, day=day)
    answered = tuple(a.user_id for a in answers)
    blockers = tuple(
        (a.user_id, text)
        for a in answers
        for question, text in a.answers.items()
        if is_blocker_question(question) and text.strip() and not NOTHING.match(text.strip())
    )
    missing = tuple(sorted(prompted - set(answered)))
    return DaySummary(day=day, answered=answered, missing=missing, blockers=blockers)


def zone_today(record: StandupRecord, *, user_id: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(record.zone_of(user_id))).date()
