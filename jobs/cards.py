"""Channel posts a process left pending: it died between an ack and the post that follows.

The web process posts each new problem's card, and each new experiment's confirmation,
right after the ack (handlers.problems, handlers.experiments), through `claim` and
`Left.record` here, as the sweep does. The clock comes by every
minute for posts still pending a while later, claims each one (so it is posted at most
once, whoever gets there first) and posts it. A post Slack never took (unreachable, 5xx)
is left pending for the next sweep; if Slack refuses it, the record's author is told by DM,
since the request they made is long answered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.experiments import render as render_experiments
from bot.experiments import service as experiments
from bot.problems import render as render_problems
from bot.problems import service as problems
from jobs.delivery import call
from storage.db import Database

# Younger posts may still be on their way from a live process.
LEFT_AFTER = timedelta(minutes=2)
# Older ones would only puzzle the channel: the record is on App Home and in lists anyway.
TOO_LATE = timedelta(days=1)


@dataclass(frozen=True)
class Left:
    """A record whose channel post is pending, as claimed, and how to post it."""

    ref: str
    author: str
    channel: str
    text: str
    blocks: list[dict[str, Any]]
    posted: Callable[[Session, str], None]  # with the ts
    release: Callable[[Session], None]
    refused: Callable[[Session], None]

    def record(self, db: Database, *, ts: str | None, again: bool) -> None:
        """What became of the post: posted (at `ts`), to be tried again by the next sweep
        (`again`: Slack never took it), or refused for good."""
        with db.transaction() as session:
            if ts:
                self.posted(session, ts)
            elif again:
                self.release(session)
            else:
                self.refused(session)


def claim(
    db: Database, kind: Callable[[Session, str, int], Left | None], team_id: str, number: int
) -> Left | None:
    """Claim a record's pending post (`problem_card` or `experiment_message`), so that it is
    posted once whoever gets there first: the web process after its ack, or the sweep."""
    with db.transaction() as session:
        return kind(session, team_id, number)


def problem_card(session: Session, team_id: str, number: int) -> Left | None:
    problem = problems.claim_card(session, team_id=team_id, number=number)
    if problem is None or problem.card_channel is None:
        return None
    channel = problem.card_channel
    where = {"team_id": team_id, "number": number}
    return Left(
        ref=problem.ref,
        author=problem.created_by,
        channel=channel,
        text=render_problems.card_text(problem),
        blocks=render_problems.card(problem),
        posted=lambda s, ts: problems.set_card(s, **where, channel=channel, ts=ts),
        release=lambda s: problems.release_card(s, **where),
        refused=lambda s: problems.card_refused(s, **where),
    )


def experiment_message(session: Session, team_id: str, number: int) -> Left | None:
    logged = experiments.claim_message(session, team_id=team_id, number=number)
    if logged is None or logged.experiment.message_channel is None:
        return None
    channel = logged.experiment.message_channel
    where = {"team_id": team_id, "number": number}
    return Left(
        ref=logged.experiment.ref,
        author=logged.experiment.author_id,
        channel=channel,
        text=render_experiments.confirmation_text(logged),
        blocks=render_experiments.confirmation(logged),
        posted=lambda s, ts: experiments.set_message(s, **where, channel=channel, ts=ts),
        release=lambda s: experiments.release_message(s, **where),
        refused=lambda s: experiments.message_refused(s, **where),
    )


# Each kind of post: where its pending ones are found, and how one is claimed.
KINDS = (
    (problems.pending_cards, problem_card, "its card"),
    (experiments.pending_messages, experiment_message, "it"),
)


def post_left(*, db: Database, client_for: Callable[[str], WebClient], now: datetime) -> int:
    """Post every card and confirmation left pending; how many were posted."""
    posted = 0
    for pending, kind, what in KINDS:
        with db.reading() as session:
            left = pending(session, since=now - TOO_LATE, before=now - LEFT_AFTER)
        for team_id, number in left:
            claimed = claim(db, kind, team_id, number)
            if claimed is not None:
                posted += _post(db, client_for(team_id), claimed, what)
    return posted


def _post(db: Database, client: WebClient, left: Left, what: str) -> int:
    sent = call(client.chat_postMessage, channel=left.channel, text=left.text, blocks=left.blocks)
    left.record(db, ts=sent.ts, again=sent.retry)
    if sent.ts:
        return 1
    if not sent.retry:  # refused: its author hears why; never tried again
        where = f"in <#{left.channel}>" if left.channel.startswith(("C", "G")) else "to you"
        call(
            client.chat_postMessage,
            channel=left.author,
            text=f"{left.ref} is saved, but I couldn't post {what} {where}: {sent.why}.",
        )
    return 0
