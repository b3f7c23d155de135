"""What Slack answered to the outbox's sends, recorded: sent, looked for before any resend,
tried again with backoff, or refused for good (its owner told once, by DM). A problem's
canvas made or refused has its card drawn again."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from jobs import canvas, messages
from jobs.delivery import Sent
from storage import outbox, sends
from storage.outbox import OutboxMessage, Outgoing, Relation
from storage.sends import Claimed

log = logging.getLogger(__name__)

# Past this, a message Slack keeps not taking is reported to its owner instead.
GIVE_UP = timedelta(days=1)
# How long a message Slack did not take waits before each next try.
RETRY_BACKOFF = (timedelta(seconds=15), timedelta(minutes=1), timedelta(minutes=5))
RETRY_CAP = timedelta(minutes=15)


def refusal_key(message_id: int) -> str:
    """The key of the notice that tells a message's owner Slack refused it."""
    return f"refused:{message_id}"


class Outcome(NamedTuple):
    """A message sent, what Slack answered, and the channel it went to."""

    message: OutboxMessage
    answer: Sent
    channel: str


def record(
    session: Any,
    outcomes: list[Outcome],
    *,
    untried: Sequence[Claimed] = (),
    claimer: int | None = None,
    now: datetime,
) -> list[Outcome]:
    """What Slack answered to each, in the caller's transaction; the `untried` of the
    claim go back unclaimed, to be tried when the last answer said Slack may take them
    again. The outcomes Slack refused for good."""
    gave_up = []
    sends.all_sent(session, [(o.message, o.channel, o.answer.ts) for o in outcomes if o.answer.ts])
    for outcome in outcomes:
        message, answer, _ = outcome
        if answer.ts:
            continue
        if answer.unknown and message.relation != Relation.EDIT:
            # Slack may have posted it: left claimed, looked for before any resend.
            sends.unconfirmed(session, message.id, error=answer.error or "unknown")
        elif (answer.retry or answer.unknown) and message.created_at > now - GIVE_UP:
            at = now + backoff(message.attempts)
            sends.retry(session, message.id, at=at, error=answer.error or "unknown")
        else:
            sends.refused(session, message.id, error=answer.error or "refused")
            tell_owner(session, message, answer)
            gave_up.append(outcome)
            canvas_settled(session, message, error=answer.error or "refused")
    for outcome in outcomes:
        if outcome.answer.ts:
            canvas_settled(session, outcome.message, error=None)
    if untried:
        ids = [c.message.id for c in untried]
        last = outcomes[-1] if outcomes else None
        if last is not None and last.answer.ts is None:
            # Slack held the last one back: the rest wait as long as it does.
            at = now + backoff(last.message.attempts)
            sends.release(
                session, ids, at=at, error=last.answer.error or "unknown", claimer=claimer
            )
        else:
            # Not Slack: the lease ran out before their turn. Due again at once.
            sends.release(session, ids, at=now, claimer=claimer)
    return gave_up


def canvas_settled(session: Any, message: OutboxMessage, *, error: str | None) -> None:
    """A problem's canvas made (or refused for good): its card drawn again."""
    if not canvas.is_canvas(message):
        return
    problem = canvas.settled(session, message, error=error)
    if problem is not None:
        messages.card_update(session, problem)


def log_gave_up(gave_up: list[Outcome]) -> None:
    """The operator's record of what was given up on (its owner was told by DM)."""
    for message, answer, _ in gave_up:
        log.warning("gave up on %s (outbox %s): %s", message.what, message.id, answer.error)


def tell_owner(session: Any, message: OutboxMessage, answer: Sent) -> None:
    """One DM to the message's owner, itself through the outbox (and owned by nobody)."""
    if message.owner is None:
        return
    if message.channel[:1] in "CG":
        where = f"in <#{message.channel}>"
    else:
        where = "to you" if message.channel == message.owner else f"to <@{message.channel}>"
    outbox.enqueue(
        session,
        Outgoing(
            team_id=message.team_id,
            what=f"a notice about {message.what}",
            channel=message.owner,
            text=f"I couldn't post {message.what} {where}: {answer.why}.",
            key=refusal_key(message.id),
        ),
    )


def backoff(attempts: int) -> timedelta:
    """How long to wait before try number `attempts + 1`."""
    return RETRY_BACKOFF[attempts - 1] if 0 < attempts <= len(RETRY_BACKOFF) else RETRY_CAP
