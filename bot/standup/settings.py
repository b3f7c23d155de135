"""A standup's settings: the form's values checked, every bad field reported at once, and
the standup switched off and on."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from zoneinfo import available_timezones

from sqlalchemy.orm import Session

from bot.errors import UsageError, ValidationFailed
from bot.schedule import at_plus
from bot.standup.service import (
    HOLIDAYS_MAX,
    NO_STANDUP,
    PARTICIPANT_RULES,
    QUESTION_MAX,
    QUESTIONS_MAX,
    RULES,
    StandupRecord,
    ritual_row_for_channel,
)
from bot.text import parse_count, visible
from storage import queries
from storage.rituals import Ritual, RitualKind


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


def save(
    session: Session, *, team_id: str, channel_id: str, user_id: str, draft: SettingsDraft
) -> StandupRecord:
    """Create or change the channel's standup from the form; every bad field reported at once."""
    values = _checked(draft)
    queries.ensure_workspace(session, team_id=team_id)
    row = ritual_row_for_channel(session, team_id=team_id, channel_id=channel_id)
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
    row = ritual_row_for_channel(session, team_id=team_id, channel_id=channel_id)
    if row is None:
        raise UsageError(NO_STANDUP)
    row.enabled = enabled
    session.flush()
    return StandupRecord.of(row)
