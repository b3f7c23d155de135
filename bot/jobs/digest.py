"""Posting the weekly digest: the scheduler's job, and `/digest now`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import digest, digest_schedule
from bot.digest_schedule import DigestRitual
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


def deliver(*, client: WebClient, channel: str, composed: digest.Digest) -> Delivery:
    """Post every message of the digest, then the chart in its thread; stop at a refusal."""
    first_ts = None
    try:
        for message in render.messages(composed):
            answer = client.chat_postMessage(channel=channel, **message)
            first_ts = first_ts or answer["ts"]
    except (SlackApiError, OSError) as error:  # OSError: timeouts, after the client's retries
        code, why = _failure(error, channel)
        log.warning("digest for %s not fully posted: %s", channel, code)
        if first_ts:
            why = f"only part of it was posted. {why}"
        return Delivery(ts=first_ts, error=code, why=why)
    if not composed.series:
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
        return Delivery(ts=first_ts, chart_error=f"chart: {code}")
    return Delivery(ts=first_ts)


def publish(
    *, db: Database, client: WebClient, ritual: DigestRitual, run_id: int, end: datetime
) -> Delivery:
    """Compose the week ending at `end`, post it, and record how the run went."""
    with db.transaction() as session:
        composed = digest.week_ending(
            session, team_id=ritual.team_id, channel_id=ritual.channel_id, end=end
        )
        # Committed just before the first message: a run still "claimed" after a crash never
        # reached Slack and is resumed; one "sending" may have, and is never posted again.
        if not queries.take_run(session, team_id=ritual.team_id, run_id=run_id):
            log.info("digest run %s is already being posted", run_id)
            return Delivery(ts=None)
    delivered = deliver(client=client, channel=ritual.channel_id, composed=composed)
    with db.transaction() as session:
        digest_schedule.finish_run(
            session,
            team_id=ritual.team_id,
            run_id=run_id,
            state=delivered.state,
            channel=ritual.channel_id if delivered.ts else None,
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
    started sending, and resumes a post that a crash stopped before its first message.
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
        run_id = (
            claimed.id
            if claimed
            else queries.unstarted_run(
                session,
                team_id=ritual.team_id,
                ritual_id=ritual.id,
                occurrence=f"{occurrence}/digest",
            )
        )
        if run_id is None:
            log.info("digest %s of ritual %s already posted or posting", occurrence, ritual_id)
            return
    delivered = publish(db=db, client=client, ritual=ritual, run_id=run_id, end=scheduled_for)
    if delivered.why:
        _tell_owner(client, ritual, delivered.why)
