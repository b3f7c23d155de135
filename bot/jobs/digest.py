"""Posting the weekly digest: the scheduler's job, and `/digest now`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import digest, digest_schedule
from bot.digest_schedule import CHART, DigestRitual, piece_key
from bot.render import digest as render
from bot.render.chart import chart_comment, metric_chart
from storage import queries
from storage.db import Database

log = logging.getLogger(__name__)

ARCHIVED = (
    "<#{channel}> is archived. Unarchive it, or run `/digest schedule` in another channel "
    "and `/digest off` here"
)
# What stops a post, and what the person responsible can do about it.
WHY = {
    "not_in_channel": "I'm not a member of <#{channel}>. Invite me there with `/invite @ritualbot`",
    "channel_not_found": (
        "I can't see <#{channel}> (a private channel needs `/invite @ritualbot`; a deleted one "
        "needs `/digest schedule` in another channel)"
    ),
    "is_archived": ARCHIVED,
    "channel_is_archived": ARCHIVED,
}


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """Where the digest went (the first message's ts), or why it did not all get there."""

    ts: str | None
    error: str | None = None
    why: str | None = None
    # The text went out but the chart did not: worth recording, not worth a DM.
    chart_error: str | None = None

    @property
    def state(self) -> str:
        if self.error is None:
            return "posted"
        return "partial" if self.ts else "failed"


def _why(code: str, channel: str) -> str:
    return WHY.get(code, "Slack answered '{code}'; try `/digest now` later").format(
        channel=channel, code=code
    )


def _failure(error: Exception, channel: str) -> tuple[str, str]:
    if isinstance(error, SlackApiError):
        code = (error.response.get("error") if error.response is not None else None) or "error"
        return code, _why(code, channel)
    return "timeout", "Slack did not answer in time; try `/digest now` in a few minutes"


def deliver(
    *,
    db: Database,
    client: WebClient,
    ritual: DigestRitual,
    occurrence: str,
    composed: digest.Digest,
) -> Delivery:
    """Post each message of the digest still waiting, then the chart in the first one's
    thread; stop at a refusal.

    Each piece is taken (claimed -> sending, committed) just before it goes to Slack, so a run
    resumed after a crash posts only what was still waiting: a piece on its way at the crash
    is never posted again (at most once, as every ritual message).
    """
    channel = ritual.channel_id
    with db.reading() as session:
        first_ts = digest_schedule.posted_ts(
            session, team_id=ritual.team_id, ritual_id=ritual.id, key=piece_key(occurrence, 1)
        )
    for n, message in enumerate(render.messages(composed), start=1):
        piece = _take(db, ritual, piece_key(occurrence, n))
        if piece is None:
            continue
        try:
            answer = client.chat_postMessage(channel=channel, **message)
        except (SlackApiError, OSError) as error:  # OSError: timeouts, after the client's retries
            code, why = _failure(error, channel)
            log.warning("digest for %s not fully posted: %s", channel, code)
            _finish(db, ritual, piece, state="failed", ts=None, error=code)
            if first_ts:
                why = f"only part of it was posted. {why}"
            return Delivery(ts=first_ts, error=code, why=why)
        _finish(db, ritual, piece, state="posted", ts=answer["ts"])
        first_ts = first_ts or answer["ts"]
    chart = _take(db, ritual, piece_key(occurrence, CHART)) if composed.series else None
    if chart is None:
        return Delivery(ts=first_ts)
    try:
        client.files_upload_v2(
            channel=channel,
            content=metric_chart(composed.series),
            filename=f"digest-{composed.end:%Y-%m-%d}.png",
            title=f"Metrics · {render.span(composed.start, composed.end)}",
            thread_ts=first_ts,
            initial_comment=chart_comment(composed.series),
        )
    except (SlackApiError, OSError) as error:
        code, _why = _failure(error, channel)
        log.warning("digest chart for %s not uploaded: %s", channel, code)
        _finish(db, ritual, chart, state="failed", ts=None, error=code)
        return Delivery(ts=first_ts, chart_error=f"chart: {code}")
    _finish(db, ritual, chart, state="posted", ts=None)
    return Delivery(ts=first_ts)


def _take(db: Database, ritual: DigestRitual, key: str) -> int | None:
    with db.transaction() as session:
        return digest_schedule.take_piece(
            session, team_id=ritual.team_id, ritual_id=ritual.id, key=key
        )


def _finish(
    db: Database,
    ritual: DigestRitual,
    run_id: int,
    *,
    state: str,
    ts: str | None,
    error: str | None = None,
) -> None:
    with db.transaction() as session:
        digest_schedule.finish_run(
            session,
            team_id=ritual.team_id,
            run_id=run_id,
            state=state,
            channel=ritual.channel_id if ts else None,
            ts=ts,
            error=error,
        )


def publish(
    *,
    db: Database,
    client: WebClient,
    ritual: DigestRitual,
    run_id: int,
    end: datetime,
    resuming: str | None = None,
) -> Delivery:
    """Compose the week ending at `end`, post it, and record how the run went.

    `resuming` is the occurrence of a run a crash cut short: its waiting pieces are posted.
    """
    with db.transaction() as session:
        composed = digest.week_ending(
            session, team_id=ritual.team_id, channel_id=ritual.channel_id, end=end
        )
        # Committed just before the first message: a run still "claimed" after a crash never
        # reached Slack and is resumed whole; one "sending" may have, and only its pieces
        # still waiting are posted.
        occurrence = resuming or digest_schedule.start_run(
            session,
            team_id=ritual.team_id,
            run_id=run_id,
            pieces=[
                *range(1, len(render.messages(composed)) + 1),
                *([CHART] if composed.series else []),
            ],
        )
        if occurrence is None:
            log.info("digest run %s is already being posted", run_id)
            return Delivery(ts=None)
    delivered = deliver(
        db=db, client=client, ritual=ritual, occurrence=occurrence, composed=composed
    )
    _finish(
        db,
        ritual,
        run_id,
        state=delivered.state,
        ts=delivered.ts,
        error=delivered.error or delivered.chart_error,
    )
    return delivered


def _tell_owner(client: WebClient, ritual: DigestRitual, why: str) -> None:
    text = f"I couldn't post this week's digest in <#{ritual.channel_id}>: {why}."
    try:
        client.chat_postMessage(channel=ritual.owner_id, text=text)
    except (SlackApiError, OSError):
        log.warning("could not tell %s why the digest failed", ritual.owner_id, exc_info=True)


def run(
    *, db: Database, client: WebClient, ritual_id: int, occurrence: str, scheduled_for: datetime
) -> None:
    """The scheduler's job: post the week ending at `scheduled_for`, once.

    The scheduler has claimed `occurrence` and may call again to resume it, so the post
    itself is claimed under its own key: a second call posts nothing once the first has
    started sending, resumes a post that a crash stopped before its first message, and
    finishes one a crash cut short between two messages.
    """
    with db.transaction() as session:
        ritual = digest_schedule.by_id(session, ritual_id=ritual_id)
        if ritual is None or not ritual.enabled:
            log.info("digest ritual %s is gone or off; nothing posted", ritual_id)
            return
        claimed = queries.claim_run(
            session,
            team_id=ritual.team_id,
            ritual_id=ritual.id,
            occurrence=f"{occurrence}/digest",
            scheduled_for=scheduled_for,
        )
        key = f"{occurrence}/digest"
        scope = {"team_id": ritual.team_id, "ritual_id": ritual.id, "occurrence": key}
        run_id = claimed.id if claimed else queries.unstarted_run(session, **scope)
        resuming = None
        if run_id is None:
            run_id = digest_schedule.interrupted_run(session, **scope)
            resuming = key
        if run_id is None:
            log.info("digest %s of ritual %s already posted or posting", occurrence, ritual_id)
            return
    delivered = publish(
        db=db,
        client=client,
        ritual=ritual,
        run_id=run_id,
        end=scheduled_for,
        resuming=resuming,
    )
    if delivered.why:
        _tell_owner(client, ritual, delivered.why)
