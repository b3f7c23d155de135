"""The standup's modals: its settings and the day's answers, and reading them back."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.blocks import clip, plain, section
from bot.forms import input_block, option
from bot.ids import ActionId, CallbackId, StandupField
from bot.standup import blockers
from bot.standup.answers import NOTHING_TO_REPORT, AnswerRecord, answer_block
from bot.standup.blockers import OpenBlocker
from bot.standup.render import WEEKDAYS, hhmm
from bot.standup.service import (
    ANSWER_MAX,
    DEFAULT_CUTOFF,
    DEFAULT_QUESTIONS,
    DEFAULT_REMINDER,
    DEFAULT_TIME,
    StandupRecord,
)

F = StandupField
REMINDERS = {
    "0": "No reminder",
    "30": "30 minutes",
    "60": "1 hour",
    "120": "2 hours",
    "240": "4 hours",
}
ZONE_RULES = {
    "participant": "Each person's own timezone (from Slack)",
    "team": "One team timezone, below",
}
WHO = {"channel": "Everyone in the channel", "chosen": "The people chosen below"}


def _choices(options: dict[str, str], initial: str, kind: str) -> dict[str, Any]:
    listed = [option(v, t) for v, t in options.items()]
    return {
        "type": kind,
        "options": listed,
        "initial_option": next(o for o in listed if o["value"] == initial),
    }


def settings_modal(*, channel_id: str, record: StandupRecord | None) -> dict[str, Any]:
    r = record
    weekdays = r.weekdays if r else (1, 2, 3, 4, 5)
    day_options = [option(str(d), name) for d, name in WEEKDAYS.items()]
    questions = "\n".join(r.questions if r else DEFAULT_QUESTIONS)
    reminder = str(r.reminder_minutes or 0) if r else str(DEFAULT_REMINDER)
    if reminder not in REMINDERS:
        reminder = "60"
    participants: dict[str, Any] = {"type": "multi_users_select"}
    if r and r.participants:
        participants["initial_users"] = list(r.participants)
    blocks = [
        input_block(
            F.WEEKDAYS,
            "Days",
            {
                "type": "checkboxes",
                "options": day_options,
                "initial_options": [o for o in day_options if int(o["value"]) in weekdays],
            },
            optional=False,
        ),
        input_block(
            F.LOCAL_TIME,
            "Time",
            {"type": "timepicker", "initial_time": hhmm(r.local_time if r else DEFAULT_TIME)},
            optional=False,
        ),
        input_block(
            F.TIMEZONE_RULE,
            "Whose time",
            _choices(ZONE_RULES, r.timezone_rule if r else "participant", "radio_buttons"),
            optional=False,
        ),
        input_block(
            F.TIMEZONE,
            "Team timezone",
            {
                "type": "plain_text_input",
                "initial_value": r.timezone if r else "UTC",
                "max_length": 64,
            },
            hint="An IANA name such as Europe/London or America/Toronto.",
            optional=False,
        ),
        input_block(
            F.PARTICIPANTS_RULE,
            "Who takes part",
            _choices(WHO, r.participants_rule if r else "channel", "radio_buttons"),
            optional=False,
        ),
        input_block(F.PARTICIPANTS, "Chosen people", participants, optional=True),
        input_block(
            F.QUESTIONS,
            "Questions, one per line",
            {"type": "plain_text_input", "multiline": True, "initial_value": questions},
            optional=False,
        ),
        input_block(
            F.REMINDER,
            "Remind who hasn't answered after",
            _choices(REMINDERS, reminder, "static_select"),
            optional=False,
        ),
        input_block(
            F.CUTOFF,
            "Cut-off",
            {"type": "timepicker", "initial_time": hhmm(r.cutoff_time if r else DEFAULT_CUTOFF)},
            hint="Answers can be edited until then; the summary is posted then.",
            optional=False,
        ),
        input_block(
            F.HOLIDAYS,
            "Holidays (no standup)",
            {
                "type": "plain_text_input",
                "multiline": True,
                **({"initial_value": "\n".join(r.holidays)} if r and r.holidays else {}),
                "placeholder": plain("2026-12-25, one date per line", 150),
            },
            optional=True,
        ),
    ]
    return {
        "type": "modal",
        "callback_id": CallbackId.STANDUP_SETTINGS,
        "title": plain("Standup settings", 24),
        "submit": plain("Save", 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps({"channel": channel_id}),
        "blocks": blocks,
    }


def read_settings(state_values: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
    """The settings form's values by field name."""

    def element(block: StandupField) -> dict[str, Any]:
        return (state_values.get(block) or {}).get(ActionId.FIELD) or {}

    def chosen(block: StandupField) -> str | None:
        return (element(block).get("selected_option") or {}).get("value")

    return {
        "weekdays": [o["value"] for o in element(F.WEEKDAYS).get("selected_options") or []],
        "local_time": element(F.LOCAL_TIME).get("selected_time"),
        "timezone_rule": chosen(F.TIMEZONE_RULE),
        "timezone": element(F.TIMEZONE).get("value"),
        "participants_rule": chosen(F.PARTICIPANTS_RULE),
        "participants": list(element(F.PARTICIPANTS).get("selected_users") or []),
        "questions": element(F.QUESTIONS).get("value"),
        "reminder_minutes": chosen(F.REMINDER),
        "cutoff_time": element(F.CUTOFF).get("selected_time"),
        "holidays": element(F.HOLIDAYS).get("value"),
    }


NOTHING_OPTION = option("yes", "Nothing to report today")


def answer_modal(
    *,
    record: StandupRecord,
    day: date,
    existing: AnswerRecord | None,
    closes: str | None,
    blocker: OpenBlocker | None = None,
) -> dict[str, Any]:
    """The day's questions; `closes` is the cut-off as the reader sees it (mrkdwn). With
    the `blocker` they raised at an earlier standup, whether it still holds them up."""
    previous = existing.answers if existing else {}
    cutoff = f" You can edit them until {closes}." if closes else ""
    blocks: list[dict[str, Any]] = [
        section(
            f"Your answers are posted in <#{record.channel_id}>, in the thread of "
            f"{day:%a %d %b}.{cutoff}"
        )
    ]
    if blocker is not None:
        blocks.append(still_blocked_block(blocker))
    for index, question in enumerate(record.questions):
        element: dict[str, Any] = {
            "type": "plain_text_input",
            "multiline": True,
            "max_length": ANSWER_MAX,
        }
        if previous.get(question):
            element["initial_value"] = previous[question]
        blocks.append(input_block(answer_block(index), question, element, optional=True))
    nothing: dict[str, Any] = {"type": "checkboxes", "options": [NOTHING_OPTION]}
    if existing and not any(a.strip() for a in previous.values()):
        nothing["initial_options"] = [NOTHING_OPTION]
    blocks.append(
        input_block(
            NOTHING_TO_REPORT,
            "Nothing to report?",
            nothing,
            hint="Tick this to post “nothing to report” instead of leaving every answer empty.",
            optional=True,
        )
    )
    return {
        "type": "modal",
        "callback_id": CallbackId.STANDUP_ANSWER,
        "title": plain(f"Standup · {day:%a %d %b}", 24),
        "submit": plain("Update" if existing else "Post", 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps({"ritual": record.id, "day": day.isoformat()}),
        "blocks": blocks,
    }


BLOCKER_OPTIONS = {
    blockers.STILL: "Yes, still blocked",
    blockers.RESOLVED: "No, it's resolved",
}


def still_blocked_block(blocker: OpenBlocker) -> dict[str, Any]:
    """Whether an earlier blocker still holds: "still" is chosen, so a person who leaves it
    keeps it open, and the owner hears of it."""
    question = f"Still blocked on “{clip(' '.join(blocker.text.split()), 120)}”?"
    return input_block(
        blockers.FIELD,
        question,
        _choices(BLOCKER_OPTIONS, blockers.STILL, "radio_buttons"),
        hint=f"You raised it on {blocker.raised_on:%a %d %b}.",
        optional=False,
    )


def read_still_blocked(state_values: dict[str, dict[str, dict[str, Any]]]) -> str | None:
    """ "still", "resolved", or None when the form did not ask."""
    element = (state_values.get(blockers.FIELD) or {}).get(ActionId.FIELD) or {}
    chosen = (element.get("selected_option") or {}).get("value")
    return chosen if chosen in BLOCKER_OPTIONS else None


def read_answers(
    record: StandupRecord, state_values: dict[str, dict[str, dict[str, Any]]]
) -> dict[str, str]:
    out = {}
    for index, question in enumerate(record.questions):
        value = ((state_values.get(answer_block(index)) or {}).get(ActionId.FIELD) or {}).get(
            "value"
        )
        out[question] = (value or "").strip()
    return out


def read_nothing_to_report(state_values: dict[str, dict[str, dict[str, Any]]]) -> bool:
    """Whether "Nothing to report today" is ticked."""
    element = (state_values.get(NOTHING_TO_REPORT) or {}).get(ActionId.FIELD) or {}
    return bool(element.get("selected_options"))
