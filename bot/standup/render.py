"""Standup messages and modals: prompt, reminder, the day's thread, answers, summary, settings."""

from __future__ import annotations

import json
from datetime import UTC, date, time
from typing import Any

from bot.blocks import actions, button, context, plain, section, user
from bot.commands import carried_number
from bot.ids import ActionId, CallbackId, StandupField
from bot.standup.answers import AnswerRecord, DaySummary, is_experiment_question
from bot.standup.service import (
    ANSWER_MAX,
    DEFAULT_CUTOFF,
    DEFAULT_QUESTIONS,
    DEFAULT_REMINDER,
    DEFAULT_TIME,
    PromptedNow,
    StandupRecord,
    StartedNow,
)
from bot.text import escape

Blocks = list[dict[str, Any]]
F = StandupField
# People or blockers listed by name in a summary; Slack allows 50 blocks and 3000 characters.
SHOWN = 40

HELP = (
    "*/standup* runs this channel's standup.\n"
    "• `/standup`: settings (days, time, timezones, people, questions, reminder, cut-off, holidays)\n"
    "• `/standup now`: send today's prompts now (nobody is prompted twice in a day)\n"
    "• `/standup skip`: skip your next standup; `/standup skip until 2026-12-31` while away\n"
    "• `/standup pause`, `/standup resume`: stop and restart this channel's standup\n"
    "• `/standup help`: this message"
)
WEEKDAYS = {1: "Mon", 2: "Tue", 3: "Wed", 4: "Thu", 5: "Fri", 6: "Sat", 7: "Sun"}
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


def answer_block(index: int) -> str:
    return f"answer_{index}"


def _day(day: date) -> str:
    return f"{day:%a %d %b}"


def _hhmm(at: time | None) -> str:
    return at.strftime("%H:%M") if at else "—"


def open_value(record: StandupRecord, day: date) -> str:
    return f"{record.id}:{day.isoformat()}"


def parse_open_value(value: object) -> tuple[int, date]:
    """The standup and day a button or form carries; standup 0, which does not exist, for a
    forged value (answered as a standup that is gone)."""
    ritual_id, _, day = str(value).partition(":")
    try:
        return carried_number(ritual_id), date.fromisoformat(day)
    except ValueError:
        return 0, date.min


def prompt(*, record: StandupRecord, day: date) -> tuple[str, Blocks]:
    text = f"Standup time for <#{record.channel_id}> ({_day(day)})"
    blocks = [
        section(f"{text}. {len(record.questions)} short questions; the answers go to its thread."),
        actions(
            button(
                "Answer",
                action_id=ActionId.STANDUP_OPEN,
                value=open_value(record, day),
                style="primary",
            )
        ),
    ]
    return text, blocks


def reminder(*, record: StandupRecord, day: date) -> tuple[str, Blocks]:
    text = f"Reminder: the standup for <#{record.channel_id}> ({_day(day)}) is waiting for you"
    blocks = [
        section(f"{text}. It closes at {_hhmm(record.cutoff_time)} your time."),
        actions(button("Answer", action_id=ActionId.STANDUP_OPEN, value=open_value(record, day))),
    ]
    return text, blocks


def thread_text(*, record: StandupRecord, day: date) -> str:
    return f"Standup · {_day(day)}"


def thread(*, record: StandupRecord, day: date) -> Blocks:
    return [
        section(f"*Standup · {_day(day)}*\nAnswers arrive in this thread."),
        context(
            f"Cut-off {_hhmm(record.cutoff_time)} · settings: `/standup` · "
            "away? `/standup skip until 2026-12-31`"
        ),
    ]


def answer(*, record: StandupRecord, answer: AnswerRecord) -> tuple[str, Blocks]:
    text = f"Standup from {user(answer.user_id)}"
    lines = [
        f"*{escape(question)}*\n{escape(reply)}"
        for question, reply in answer.answers.items()
        if reply.strip()
    ]
    blocks: Blocks = [section(f"*{text}*")]
    blocks += [section(line) for line in lines] or [section("_nothing to report_")]
    if any(is_experiment_question(q) and a.strip() for q, a in answer.answers.items()):
        blocks.append(
            actions(
                button(
                    "Log as experiment",
                    action_id=ActionId.LOG_EXPERIMENT_FROM_STANDUP,
                    value=f"standup-answer:{answer.id}",
                )
            )
        )
    if answer.edited:
        blocks.append(context("edited"))
    return text, blocks


def summary_text(summary: DaySummary) -> str:
    return f"Standup summary · {_day(summary.day)}: {len(summary.answered)} answered"


def _people(users: tuple[str, ...], limit: int = SHOWN) -> str:
    shown = ", ".join(user(u) for u in users[:limit]) or "nobody"
    return shown + (f" and {len(users) - limit} more" if len(users) > limit else "")


def summary(summary: DaySummary) -> Blocks:
    blocks = [
        section(f"*Standup summary · {_day(summary.day)}*"),
        section(f"*Answered ({len(summary.answered)})*: {_people(summary.answered)}"),
        section(f"*No answer ({len(summary.missing)})*: {_people(summary.missing)}"),
    ]
    if not summary.blockers:
        return [*blocks, section("*Blockers raised*: none")]
    blocks.append(section(f"*Blockers raised ({len(summary.blockers)})*"))
    blocks += [section(f"{user(u)}: {escape(text)}") for u, text in summary.blockers[:SHOWN]]
    if len(summary.blockers) > SHOWN:
        blocks.append(context(f"…and {len(summary.blockers) - SHOWN} more in the thread above"))
    return blocks


def saved(record: StandupRecord) -> str:
    days = ", ".join(WEEKDAYS[d] for d in record.weekdays)
    zone = (
        "each person's own time"
        if record.timezone_rule == "participant"
        else f"{escape(record.timezone)} time"
    )
    return (
        f"Standup saved for <#{record.channel_id}>: {days} at {_hhmm(record.local_time)} "
        f"({zone}), cut-off {_hhmm(record.cutoff_time)}."
    )


# Modals -----------------------------------------------------------------------------


def _option(value: str, text: str) -> dict[str, Any]:
    return {"text": plain(text), "value": value}


def _input(
    block: StandupField,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str = "",
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "input",
        "block_id": block,
        "label": plain(label, 2000),
        "optional": optional,
        "element": {"action_id": ActionId.FIELD, **element},
    }
    if hint:
        out["hint"] = plain(hint, 2000)
    return out


def _choices(options: dict[str, str], initial: str, kind: str) -> dict[str, Any]:
    listed = [_option(v, t) for v, t in options.items()]
    return {
        "type": kind,
        "options": listed,
        "initial_option": next(o for o in listed if o["value"] == initial),
    }


def settings_modal(*, channel_id: str, record: StandupRecord | None) -> dict[str, Any]:
    r = record
    weekdays = r.weekdays if r else (1, 2, 3, 4, 5)
    day_options = [_option(str(d), name) for d, name in WEEKDAYS.items()]
    questions = "\n".join(r.questions if r else DEFAULT_QUESTIONS)
    reminder = str(r.reminder_minutes or 0) if r else str(DEFAULT_REMINDER)
    if reminder not in REMINDERS:
        reminder = "60"
    participants: dict[str, Any] = {"type": "multi_users_select"}
    if r and r.participants:
        participants["initial_users"] = list(r.participants)
    blocks = [
        _input(
            F.WEEKDAYS,
            "Days",
            {
                "type": "checkboxes",
                "options": day_options,
                "initial_options": [o for o in day_options if int(o["value"]) in weekdays],
            },
        ),
        _input(
            F.LOCAL_TIME,
            "Time",
            {"type": "timepicker", "initial_time": _hhmm(r.local_time if r else DEFAULT_TIME)},
        ),
        _input(
            F.TIMEZONE_RULE,
            "Whose time",
            _choices(ZONE_RULES, r.timezone_rule if r else "participant", "radio_buttons"),
        ),
        _input(
            F.TIMEZONE,
            "Team timezone",
            {
                "type": "plain_text_input",
                "initial_value": r.timezone if r else "UTC",
                "max_length": 64,
            },
            hint="An IANA name such as Europe/London or America/Toronto.",
        ),
        _input(
            F.PARTICIPANTS_RULE,
            "Who takes part",
            _choices(WHO, r.participants_rule if r else "channel", "radio_buttons"),
        ),
        _input(F.PARTICIPANTS, "Chosen people", participants, optional=True),
        _input(
            F.QUESTIONS,
            "Questions, one per line",
            {"type": "plain_text_input", "multiline": True, "initial_value": questions},
        ),
        _input(
            F.REMINDER,
            "Remind who hasn't answered after",
            _choices(REMINDERS, reminder, "static_select"),
        ),
        _input(
            F.CUTOFF,
            "Cut-off",
            {"type": "timepicker", "initial_time": _hhmm(r.cutoff_time if r else DEFAULT_CUTOFF)},
            hint="Answers can be edited until then; the summary is posted then.",
        ),
        _input(
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


def answer_modal(
    *, record: StandupRecord, day: date, existing: AnswerRecord | None
) -> dict[str, Any]:
    previous = existing.answers if existing else {}
    blocks = []
    for index, question in enumerate(record.questions):
        element: dict[str, Any] = {
            "type": "plain_text_input",
            "multiline": True,
            "max_length": ANSWER_MAX,
        }
        if previous.get(question):
            element["initial_value"] = previous[question]
        blocks.append(
            {
                "type": "input",
                "block_id": answer_block(index),
                "label": plain(question, 2000),
                "optional": True,
                "element": {"action_id": ActionId.FIELD, **element},
            }
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


def skipping(first: date, last: date, *, until: bool) -> str:
    if not until:
        return f"You'll skip the standup of {first:%a %d %b}."
    return f"No standup prompts for you from {first:%a %d %b} through {last:%a %d %b}."


def switched(*, enabled: bool) -> str:
    if enabled:
        return "Standup resumed: prompts go out on the next planned day."
    return "Standup paused: no prompts until `/standup resume`."


def closed(day: date) -> str:
    return f"The standup for {_day(day)} is closed. Answer the next one when it comes."


def prompted_now(prompted: PromptedNow) -> str:
    if not (prompted.sent or prompted.waiting or prompted.refused):
        return "Prompted 0 people: everyone taking part was already prompted today."
    sent = len(prompted.sent)
    lines = [
        f"Prompted {sent} {'person' if sent == 1 else 'people'}: {_people(prompted.sent)} "
        "(anyone already prompted today was left alone)."
    ]
    if prompted.waiting:
        lines.append(
            f"Slack hasn't taken the prompt of {_people(prompted.waiting)} yet; it follows as "
            "soon as Slack does."
        )
    if prompted.refused:
        lines.append(
            f"Slack refused the prompt of {_people(prompted.refused)}; the standup's owner "
            "has the reason."
        )
    return "\n".join(lines)


def already_started(started: StartedNow) -> str:
    by = f" by {user(started.started_by)}" if started.started_by else ""
    return (
        f"Today's standup ({_day(started.day)}) was already started{by} at "
        f"{started.started_at.astimezone(UTC):%H:%M} UTC, so nobody was prompted again. "
        "Answers go in the day's thread; `/standup now` works again tomorrow."
    )
