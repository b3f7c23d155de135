"""What `/digest` answers the person who typed it: help, the schedule set or turned off,
and why a digest was not posted. Only they see these."""

from __future__ import annotations

from datetime import datetime

from bot.blocks import moment
from bot.digest.ritual import DAYS, DigestRitual

PREVIEW_NOTE = (
    "Only you can see this preview. `/digest now` posts it here (with a chart of each "
    "active problem's metric); `/digest schedule monday 09:00` posts it every week."
)


def preview_cut(left: int) -> str:
    return (
        f"{left} more part{'s' if left != 1 else ''} of this digest would not fit in a preview. "
        "`/digest now` posts all of it to the channel."
    )


HELP = "\n".join(
    [
        "*`/digest`*: this channel's weekly digest.",
        "• `/digest`: preview it (only you see it)",
        "• `/digest now`: post it to the channel, with the metric chart; after an earlier "
        "digest this week, only what changed since that one",
        "• `/digest now full`: post the whole week again, even after an earlier digest",
        "• `/digest schedule &lt;day&gt; &lt;HH:MM&gt; [timezone]`: post it every week, e.g. "
        "`/digest schedule monday 09:00 Europe/London` (timezone defaults to yours)",
        "• `/digest off`: stop the weekly post",
    ]
)


def scheduled(ritual: DigestRitual, *, now: datetime) -> str:
    """The answer to `/digest schedule`: when it goes out, and the next one."""
    day = DAYS[ritual.weekday - 1].capitalize()
    return (
        f"The weekly digest will be posted here every {day} at {ritual.local_time:%H:%M} "
        f"({ritual.timezone}). Next: {moment(ritual.next_at(now))} your time. "
        "Make sure I'm in this channel (`/invite @ritualbot`); `/digest off` stops it."
    )


def turned_off(ritual: DigestRitual | None) -> str:
    if ritual is None:
        return (
            "No weekly digest is scheduled in this channel, so nothing changed. "
            "`/digest schedule monday 09:00` starts one."
        )
    return "The weekly digest is off for this channel. `/digest schedule monday 09:00` turns it on again."


def already_posted(posted_at: datetime, *, now: datetime) -> str:
    seconds = max(0, int((now - posted_at).total_seconds()))
    return (
        f"This channel's digest was posted {seconds} s ago, so I didn't post it again. "
        "Run `/digest now` again in a minute for a fresh one."
    )


def not_posted(why: str) -> str:
    return f"I couldn't post the digest: {why}."


def delayed(why: str) -> str:
    return (
        f"This week's digest is ready, but I couldn't post it yet: {why}. I'll post it here "
        "as soon as Slack takes it, and tell you if it can't be."
    )
