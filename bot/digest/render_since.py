"""A digest after another of the same week: what changed since it, or the one line saying
nothing did, each pointing back at the digest it follows. Pure Block Kit builders."""

from __future__ import annotations

from typing import Any

from bot.blocks import moment, section, user
from bot.digest import render, replies
from bot.digest.ritual import FULL
from bot.digest.service import Digest
from bot.digest.since import CHANGES, NOTHING_NEW, WHOLE_WEEK, Earlier

TITLE = "What changed since this week's last digest"


def _earlier(earlier: Earlier) -> str:
    if earlier.asked_by is None:
        return f"the scheduled digest of {moment(earlier.at)}"
    return f"the digest {user(earlier.asked_by)} asked for {moment(earlier.at)}"


def _see(link: str | None) -> str:
    return f"see it here: <{link}>" if link else "see it above in this channel"


def changes(
    digest: Digest, *, earlier: Earlier, link: str | None, limit: int = render.MESSAGE_BLOCKS
) -> list[dict[str, Any]]:
    """What changed since `earlier`, as chat messages of at most `limit` blocks."""
    lead = f"since {_earlier(earlier)} ({_see(link)})"
    return render.messages(digest, title=TITLE, lead=lead, limit=limit)


def nothing_new(*, earlier: Earlier, link: str | None) -> dict[str, Any]:
    """The one line a digest is when nothing changed since `earlier`."""
    line = f"Nothing new since {_earlier(earlier)}; {_see(link)}"
    return {"text": line, "blocks": [section(line)]}


def preview_note(state: str) -> str:
    """The note under a preview of a digest in state `state`: what posting it would do."""
    if state == WHOLE_WEEK:
        return replies.PREVIEW_NOTE
    return (
        "Only you can see this preview. This week's digest is already posted here, so "
        f"`/digest now` posts only this; `/digest now {FULL}` posts the whole week again."
    )


def posting(state: str) -> str:
    """The answer to `/digest now`, once its digest is queued in state `state`."""
    if state == CHANGES:
        return (
            "Posting what changed since this week's last digest here… "
            f"`/digest now {FULL}` posts the whole week."
        )
    if state == NOTHING_NEW:
        return (
            "Nothing changed since this week's last digest, so I'm saying just that here. "
            f"`/digest now {FULL}` posts the whole week again."
        )
    return "Posting this week's digest here…"
