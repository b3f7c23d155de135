"""What the bot replies in the DM while someone answers their standup there: the next
question, or what a "skip", "away until …" or "edit" did. The answer's own confirmation,
with its link, is `render.posted`."""

from __future__ import annotations

from bot.standup import render
from bot.standup.replies import ASKED, AWAY, DONE, SKIPPED, Heard


def reply(heard: Heard) -> str | None:
    """The bot's reply to what was heard (mrkdwn); None when the answer's new post speaks
    (its DM with the link)."""
    if heard.kind == ASKED and heard.asking is not None:
        asked = render.question(heard.record, index=heard.asking, blocker=heard.blocker)
        if heard.again:
            return (
                f"Answering again: your answer of {heard.day:%a %d %b} is replaced once you "
                f"have replied to all {len(heard.record.questions)} questions.\n{asked}"
            )
        return asked
    if heard.kind == DONE and heard.answer is not None:
        said = []
        if heard.answer.edited:
            said.append(
                f"Your answer of {heard.day:%a %d %b} in <#{heard.record.channel_id}> is "
                "updated to these replies."
            )
        if (back := heard.resume) is not None and back.asking is not None:
            asked = render.question(back.record, index=back.asking, blocker=back.blocker)
            said.append(
                f"Back to <#{back.record.channel_id}>'s standup of {back.day:%a %d %b}:\n{asked}"
            )
        return "\n".join(said) or None
    if heard.kind == SKIPPED:
        return (
            f"Skipped: no standup for you on {heard.day:%a %d %b}. Your next prompt comes as usual."
        )
    if heard.kind == AWAY and heard.away is not None:
        return render.skipping(*heard.away, until=True)
    return None
