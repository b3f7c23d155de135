"""Standup messages: prompt, reminder, the day's thread, answers, and the replies to
`/standup`. The summary and blockers are in `render_summary.py`, the modals in `modals.py`."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from bot.blocks import actions, button, clip, context, section, user, when
from bot.commands import carried_number
from bot.ids import ActionId, StandupField
from bot.schedule import local_instant
from bot.standup.answers import (
    AnswerRecord,
    is_blocker_question,
    is_experiment_question,
)
from bot.standup.blockers import OpenBlocker
from bot.standup.service import (
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


def day_label(day: date) -> str:
    return f"{day:%a %d %b}"


def hhmm(at: time | None) -> str:
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


def closes_at(closes: datetime, zone: str) -> str:
    """A cut-off in the reader's own time: Slack renders it so; the fallback is in `zone`,
    the reader's own timezone when the roster knows it."""
    return f"{when(closes, zone=zone)} your time"


def prompt(
    *,
    record: StandupRecord,
    day: date,
    closes: datetime | None,
    zone: str,
    blocker: OpenBlocker | None = None,
) -> tuple[str, Blocks]:
    text = f"Standup time for <#{record.channel_id}> ({day_label(day)})"
    cutoff = f" It closes at {closes_at(closes, zone)}." if closes else ""
    blocks = [
        section(
            f"{text}. {len(record.questions)} short questions; your answers are posted in "
            f"<#{record.channel_id}>, in the day's thread.{cutoff}"
        ),
        section(first_question(record, blocker=blocker)),
        *([section(still_blocked(blocker))] if blocker else []),
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


def first_question(record: StandupRecord, *, blocker: OpenBlocker | None) -> str:
    """How the prompt starts the conversation: the first question, to answer by reply."""
    return (
        "Reply here to answer, one question at a time, or press Answer for the form.\n"
        + question(record, index=0, blocker=blocker)
    )


def question(record: StandupRecord, *, index: int, blocker: OpenBlocker | None) -> str:
    """Question `index` as the DM asks it; the blocker question says how to resolve an
    earlier blocker still open."""
    asked = record.questions[index]
    text = f"*{index + 1}/{len(record.questions)} · {escape(asked)}*"
    if blocker is not None and is_blocker_question(asked):
        text += (
            f"\nYou were blocked on {blocker_text(blocker)} ({day_label(blocker.raised_on)}): reply "
            "`none` if that is resolved, or say what still blocks you."
        )
    return text


def blocker_text(blocker: OpenBlocker, limit: int = 200) -> str:
    """A blocker on one line, clipped so that any list of them fits in a section."""
    return escape(clip(" ".join(blocker.text.split()), limit))


def still_blocked(blocker: OpenBlocker) -> str:
    """The line a prompt carries about a blocker still open from an earlier standup."""
    return (
        f"*Still blocked on {blocker_text(blocker)}?* You raised it on "
        f"{day_label(blocker.raised_on)}; the form asks whether it is resolved."
    )


def reminder(
    *, record: StandupRecord, day: date, closes: datetime | None, zone: str
) -> tuple[str, Blocks]:
    text = f"Reminder: the standup for <#{record.channel_id}> ({day_label(day)}) is waiting for you"
    cutoff = f" It closes at {closes_at(closes, zone)}." if closes else ""
    how = " Reply here to answer, one question at a time, or press Answer for the form."
    blocks = [
        section(f"{text}.{cutoff}{how}"),
        actions(button("Answer", action_id=ActionId.STANDUP_OPEN, value=open_value(record, day))),
    ]
    return text, blocks


def thread_text(*, record: StandupRecord, day: date) -> str:
    return f"Standup · {day_label(day)}"


def cutoff_line(record: StandupRecord, day: date) -> str:
    """When the day's answers close, as each reader of the channel sees it."""
    if record.cutoff_time is None:
        return "No cut-off"
    if record.timezone_rule == "participant":
        return f"Cut-off {hhmm(record.cutoff_time)} in each person's own time"
    closes = local_instant(day, record.cutoff_time, record.timezone)
    return f"Cut-off {when(closes, zone=record.timezone, fallback='%H:%M ' + record.timezone)}"


def thread(*, record: StandupRecord, day: date) -> Blocks:
    return [
        section(f"*Standup · {day_label(day)}*\nAnswers arrive in this thread."),
        context(
            f"{cutoff_line(record, day)} · settings: `/standup` · "
            "away? `/standup skip until 2026-12-31`"
        ),
    ]


def answer(
    *, record: StandupRecord, answer: AnswerRecord, as_person: bool = False
) -> tuple[str, Blocks]:
    """An answer for the day's thread. `as_person`: posted under its author's own name and
    avatar, so it has no heading, and says whose it is and that the bot posted it below
    (also what a reader sees if Slack shows it in the bot's name after all)."""
    text = f"Standup from {user(answer.user_id)}" + (" (late)" if answer.late else "")
    lines = [
        f"*{escape(question)}*\n{escape(reply)}"
        for question, reply in answer.answers.items()
        if reply.strip()
    ]
    blocks: Blocks = [] if as_person else [section(f"*{text}*")]
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
    footer = [f"Standup of {user(answer.user_id)} · via ritualbot"] if as_person else []
    footer += ["late: answered after the cut-off"] if answer.late else []
    footer += ["edited"] if answer.edited else []
    if footer:
        blocks.append(context(" · ".join(footer)))
    return text, blocks


def people_list(users: tuple[str, ...], limit: int = SHOWN) -> str:
    shown = ", ".join(user(u) for u in users[:limit]) or "nobody"
    return shown + (f" and {len(users) - limit} more" if len(users) > limit else "")


def posted(*, record: StandupRecord, day: date) -> str:
    """The DM that tells someone where their answer went; `{link}` is its permalink, filled
    in when the answer is posted (see storage.outbox's `links_after`)."""
    return f"Posted in <#{record.channel_id}>: <{{link}}|your standup answer of {day_label(day)}>."


def saved(record: StandupRecord) -> str:
    days = ", ".join(WEEKDAYS[d] for d in record.weekdays)
    zone = (
        "each person's own time"
        if record.timezone_rule == "participant"
        else f"{escape(record.timezone)} time"
    )
    return (
        f"Standup saved for <#{record.channel_id}>: {days} at {hhmm(record.local_time)} "
        f"({zone}), cut-off {hhmm(record.cutoff_time)}."
    )


def skipping(first: date, last: date, *, until: bool) -> str:
    if not until:
        return f"You'll skip the standup of {first:%a %d %b}."
    return f"No standup prompts for you from {first:%a %d %b} through {last:%a %d %b}."


def switched(*, enabled: bool) -> str:
    if enabled:
        return "Standup resumed: prompts go out on the next planned day."
    return "Standup paused: no prompts until `/standup resume`."


def closed(day: date) -> str:
    return f"The standup for {day_label(day)} is closed. Answer the next one when it comes."


def prompted_now(prompted: PromptedNow) -> str:
    if not (prompted.sent or prompted.waiting or prompted.refused):
        return "Prompted 0 people: everyone taking part was already prompted today."
    sent = len(prompted.sent)
    lines = [
        f"Prompted {sent} {'person' if sent == 1 else 'people'}: {people_list(prompted.sent)} "
        "(anyone already prompted today was left alone)."
    ]
    if prompted.waiting:
        lines.append(
            f"Slack hasn't taken the prompt of {people_list(prompted.waiting)} yet; it follows as "
            "soon as Slack does."
        )
    if prompted.refused:
        lines.append(
            f"Slack refused the prompt of {people_list(prompted.refused)}; the standup's owner "
            "has the reason."
        )
    return "\n".join(lines)


def already_started(started: StartedNow) -> str:
    by = f" by {user(started.started_by)}" if started.started_by else ""
    return (
        f"Today's standup ({day_label(started.day)}) was already started{by} at "
        f"{when(started.started_at, fallback='%H:%M UTC')} your time, so nobody was prompted again. "
        "Answers go in the day's thread; `/standup now` works again tomorrow."
    )
