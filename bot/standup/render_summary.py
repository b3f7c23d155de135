"""The day's standup summary at the cut-off, and the blockers still open: in the summary, to
the standup's owner, and in the digest."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.blocks import context, section, user
from bot.standup.answers import DaySummary
from bot.standup.blockers import OpenBlocker
from bot.standup.participation import Rate
from bot.standup.render import SHOWN, blocker_text, day_label, people_list
from bot.standup.service import StandupRecord
from bot.text import escape

Blocks = list[dict[str, Any]]


def summary_text(summary: DaySummary) -> str:
    return (
        f"Standup summary · {day_label(summary.day)}: {len(summary.answered)} of "
        f"{len(summary.prompted)} prompted answered, {len(summary.away)} away"
    )


def rate(r: Rate) -> str:
    return f"{user(r.user_id)} {r.answered}/{r.expected} ({r.percent}%)"


def rates_line(rates: tuple[Rate, ...], limit: int = SHOWN) -> str:
    """Response rates over four weeks, lowest first, the people past `limit` counted."""
    shown = " · ".join(rate(r) for r in rates[:limit]) or "nobody prompted yet"
    more = f" · and {len(rates) - limit} more" if len(rates) > limit else ""
    return f"*Response rate, last 4 weeks*: {shown}{more}"


def summary(summary: DaySummary) -> Blocks:
    blocks = [
        section(f"*Standup summary · {day_label(summary.day)}*"),
        section(
            f"{len(summary.prompted)} prompted · {len(summary.answered)} answered · "
            f"{len(summary.missing)} no answer · {len(summary.away)} away"
        ),
        section(f"*Answered ({len(summary.answered)})*: {people_list(summary.answered)}"),
        section(f"*No answer ({len(summary.missing)})*: {people_list(summary.missing)}"),
        section(f"*Away ({len(summary.away)})*: {people_list(summary.away)}"),
    ]
    if summary.rates:
        blocks.append(section(rates_line(summary.rates)))
    if summary.standing:
        blocks.append(section(standing_blockers(summary.standing, on=summary.day)))
    if not summary.blockers:
        return [*blocks, section("*Blockers raised*: none")]
    blocks.append(section(f"*Blockers raised ({len(summary.blockers)})*"))
    blocks += [section(f"{user(u)}: {escape(text)}") for u, text in summary.blockers[:SHOWN]]
    if len(summary.blockers) > SHOWN:
        blocks.append(context(f"…and {len(summary.blockers) - SHOWN} more in the thread above"))
    return blocks


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def blocked_for(blocker: OpenBlocker, *, on: date) -> str:
    """ "blocked 3 days: GPU quota — @bilal"."""
    return f"blocked {_days(blocker.age(on))}: {blocker_text(blocker)} — {user(blocker.user_id)}"


def blocker_notice(*, record: StandupRecord, blocker: OpenBlocker, on: date) -> str:
    """To the standup's owner: someone is still blocked at a second standup."""
    return (
        f"{user(blocker.user_id)} is still blocked at <#{record.channel_id}>'s standup "
        f"({_days(blocker.age(on))} since {day_label(blocker.raised_on)}): "
        f"{blocker_text(blocker)}. A word from you may unblock them."
    )


def standing_blockers(standing: tuple[OpenBlocker, ...], *, on: date, limit: int = 10) -> str:
    """Blockers open two standups in a row or more, with how long, the oldest first."""
    lines = [f"• {blocked_for(b, on=on)}" for b in standing[:limit]]
    more = [f"…and {len(standing) - limit} more"] if len(standing) > limit else []
    return "\n".join([f"*Still blocked ({len(standing)})*", *lines, *more])
