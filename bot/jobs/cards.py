"""Problem cards a process left pending: it died between a capture's ack and its card.

The web process posts each new problem's card right after the ack (handlers.problems).
The clock comes by every minute for cards still pending a while later, claims each one
(so it is posted at most once, whoever gets there first) and posts it. A card Slack never
took (unreachable, 5xx) is left pending for the next sweep; if Slack refuses it, the
problem's author is told by DM, since the request they made is long answered.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from slack_sdk import WebClient

from bot import problems
from bot.jobs.delivery import call
from bot.render import problems as render
from storage.db import Database

# Younger cards may still be on their way from a live process.
LEFT_AFTER = timedelta(minutes=2)
# Older ones would only puzzle the channel: the problem is on App Home and in lists anyway.
TOO_LATE = timedelta(days=1)


def post_left(*, db: Database, client_for: Callable[[str], WebClient], now: datetime) -> int:
    """Post every card left pending; how many were posted."""
    with db.reading() as session:
        left = problems.pending_cards(session, since=now - TOO_LATE, before=now - LEFT_AFTER)
    posted = 0
    for team_id, number in left:
        with db.transaction() as session:
            problem = problems.claim_card(session, team_id=team_id, number=number)
        if problem is None or problem.card_channel is None:
            continue
        client = client_for(team_id)
        channel = problem.card_channel
        sent = call(
            client.chat_postMessage,
            channel=channel,
            text=render.card_text(problem),
            blocks=render.card(problem),
        )
        with db.transaction() as session:
            if sent.ts:
                problems.set_card(
                    session, team_id=team_id, number=number, channel=channel, ts=sent.ts
                )
            elif sent.retry:
                problems.release_card(session, team_id=team_id, number=number)
            else:
                problems.card_refused(session, team_id=team_id, number=number)
        if sent.ts:
            posted += 1
            continue
        if sent.retry:  # Slack never took it: the next sweep tries again
            continue
        where = f"in <#{channel}>" if channel.startswith(("C", "G")) else "to you"
        call(
            client.chat_postMessage,
            channel=problem.created_by,
            text=f"{problem.ref} is saved, but I couldn't post its card {where}: {sent.why}.",
        )
    return posted
