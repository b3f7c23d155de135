"""The standup job: DM prompts, one reminder, the day's thread, answers and the cut-off summary.

Every message is a run row claimed (committed) before it is sent and taken by
compare-and-set just before the call, so a retry, a restart or a second scheduler
never sends it twice; rows left claimed by a crash are sent by the next pass.
"""

from __future__ import annotations

import logging
import time as clock
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.schedule import local_instant, parse_key
from bot.standup import render
from bot.standup import service as standups
from bot.standup.service import CLOSE, PROMPT, REMIND, AnswerRecord, RunRecord, StandupRecord
from jobs.delivery import RateGate, RetryLater, Sent, call
from storage.db import Database
from storage.types import utcnow

log = logging.getLogger(__name__)

PAGE = 200
# Give up on a message Slack keeps failing (5xx) after this many attempts, and tell the owner.
MAX_ATTEMPTS = 5
THREAD_WAIT_SECONDS = 5.0
# DMs sent at once in a fan-out; they share one rate-limit pause (RateGate). One pool for
# the process, so a fan-out per timezone does not start threads of its own each time.
SENDERS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="standup-dm")


def run(
    *, db: Database, client: WebClient, ritual_id: int, occurrence: str, scheduled_for: datetime
) -> None:
    day, step, zone = parse_key(occurrence)
    with db.transaction() as session:
        record = standups.for_job(session, ritual_id=ritual_id)
    if record is None or not record.enabled:
        return
    if step == PROMPT:
        prompt(db=db, client=client, record=record, day=day, zone=zone, at=scheduled_for)
    elif step == REMIND:
        remind(db=db, client=client, record=record, day=day, zone=zone, at=scheduled_for)
    elif step == CLOSE:
        close(db=db, client=client, record=record, day=day, at=scheduled_for)


# Roster -----------------------------------------------------------------------------


def _pages(do: Callable[..., Any], key: str, **args: Any) -> Iterator[Any]:
    """Every item of a paginated Web API method, waiting out rate limits between pages."""
    cursor = ""
    while True:
        try:
            answer = do(limit=PAGE, cursor=cursor, **args)
        except SlackApiError as error:
            if error.response is None or error.response.status_code != 429:
                raise
            clock.sleep(float(error.response.headers.get("Retry-After", 1) or 1))
            continue
        yield from answer.get(key) or []
        cursor = (answer.get("response_metadata") or {}).get("next_cursor") or ""
        if not cursor:
            return


def sync_roster(*, db: Database, client: WebClient, record: StandupRecord) -> StandupRecord:
    """Read who takes part and their timezones from Slack: users.list, not one call each."""
    try:
        if record.participants_rule == "channel":
            members = set(
                _pages(client.conversations_members, "members", channel=record.channel_id)
            )
        else:
            members = set(record.participants)
        roster = {
            user["id"]: user.get("tz") or record.timezone
            for user in _pages(client.users_list, "members")
            if user.get("id") in members
            and not user.get("is_bot")
            and not user.get("deleted")
            and user.get("id") != "USLACKBOT"
        }
    except (SlackApiError, OSError) as error:
        log.warning("could not read the participants of standup %s: %s", record.id, error)
        return record
    with db.transaction() as session:
        return standups.set_roster(
            session, team_id=record.team_id, ritual_id=record.id, roster=roster, now=utcnow()
        )


# Steps ------------------------------------------------------------------------------


def prompt(
    *,
    db: Database,
    client: WebClient,
    record: StandupRecord,
    day: date,
    zone: str | None,
    at: datetime,
) -> None:
    """DM each participant in `zone` (everyone when zone is None) who is not away on `day`."""
    _prompt_round(db=db, client=client, record=record, day=day, zone=zone, at=at)
    _unless_waiting(db, record, day)


def _prompt_round(
    *,
    db: Database,
    client: WebClient,
    record: StandupRecord,
    day: date,
    zone: str | None,
    at: datetime,
) -> set[str]:
    """The prompts of `prompt`, sent once each; the people this call prompted."""
    if not record.roster:
        record = sync_roster(db=db, client=client, record=record)
    with db.transaction() as session:
        away = standups.away_on(session, team_id=record.team_id, day=day)
    users = [u for u in record.roster if (zone is None or record.zone_of(u) == zone)]
    users = [u for u in users if u not in away]
    if not users:
        return set()
    ensure_thread(db=db, client=client, record=record, day=day, at=at, retry=False)
    with db.transaction() as session:
        standups.claim_all(
            session,
            team_id=record.team_id,
            ritual_id=record.id,
            occurrences=[standups.dm_key(day, PROMPT, u) for u in users],
            scheduled_for=at,
        )
    return _send_waiting(
        db=db,
        client=client,
        record=record,
        prefix=f"{day.isoformat()}/dm/{PROMPT}/",
        message=lambda user: render.prompt(record=record, day=day),
    )


def prompt_now(
    *, db: Database, client: WebClient, record: StandupRecord, now: datetime
) -> tuple[str, ...]:
    """`/standup now`: prompt everyone not prompted yet on their own today; who this prompted.

    The caller has claimed today's round (standups.start_now), so nobody else sends it. A
    prompt Slack could not take yet stays claimed, for the day's next scheduled step.
    """
    if not record.roster:
        record = sync_roster(db=db, client=client, record=record)
    pairs = {
        (standups.zone_today(record, user_id=u, now=now), record.zone_of(u)) for u in record.roster
    }
    prompted: set[str] = set()
    for day, zone in sorted(pairs):
        prompted |= _prompt_round(db=db, client=client, record=record, day=day, zone=zone, at=now)
    return tuple(sorted(prompted))


def remind(
    *,
    db: Database,
    client: WebClient,
    record: StandupRecord,
    day: date,
    zone: str | None,
    at: datetime,
) -> None:
    """One reminder to each person prompted for `day` who has not answered yet."""
    with db.transaction() as session:
        prompted = standups.sent_to(
            session, team_id=record.team_id, ritual_id=record.id, day=day, step=PROMPT
        )
        answered = {
            a.user_id
            for a in standups.answers_of_day(
                session, team_id=record.team_id, ritual_id=record.id, day=day
            )
        }
        users = [
            u for u in sorted(prompted - answered) if zone is None or record.zone_of(u) == zone
        ]
        standups.claim_all(
            session,
            team_id=record.team_id,
            ritual_id=record.id,
            occurrences=[standups.dm_key(day, REMIND, u) for u in users],
            scheduled_for=at,
        )
    _send_waiting(
        db=db,
        client=client,
        record=record,
        prefix=f"{day.isoformat()}/dm/{REMIND}/",
        message=lambda user: render.reminder(record=record, day=day),
    )
    _unless_waiting(db, record, day)


def _unless_waiting(db: Database, record: StandupRecord, day: date) -> None:
    """Ask to be run again while a message of the day waits for another try."""
    with db.transaction() as session:
        pending = [
            run
            for prefix in (
                standups.thread_key(day),
                standups.summary_key(day),
                f"{day.isoformat()}/dm/",
            )
            for run in standups.waiting(
                session, team_id=record.team_id, ritual_id=record.id, prefix=prefix
            )
        ]
    if pending:
        raise RetryLater(f"{len(pending)} messages of {day} wait for another try")


def close(
    *, db: Database, client: WebClient, record: StandupRecord, day: date, at: datetime
) -> None:
    """At the last cut-off of the day: post any answer not posted yet, then the summary."""
    if record.cutoff_time is None:
        return
    zones = {record.zone_of(u) for u in record.roster} or {record.timezone}
    if at < max(local_instant(day, record.cutoff_time, z) for z in zones):
        return
    with db.transaction() as session:
        answers = standups.answers_of_day(
            session, team_id=record.team_id, ritual_id=record.id, day=day
        )
        prompted = standups.sent_to(
            session, team_id=record.team_id, ritual_id=record.id, day=day, step=PROMPT
        )
    if not answers and not prompted:
        return
    for answer in answers:
        if answer.message_ts is None:
            publish_answer(db=db, client=client, record=record, answer=answer)
    thread_ts = ensure_thread(db=db, client=client, record=record, day=day, at=at)
    if thread_ts is None:
        return
    with db.transaction() as session:
        standups.claim_all(
            session,
            team_id=record.team_id,
            ritual_id=record.id,
            occurrences=[standups.summary_key(day)],
            scheduled_for=at,
        )
        waiting = standups.waiting(
            session, team_id=record.team_id, ritual_id=record.id, prefix=standups.summary_key(day)
        )
        summary = standups.summary(
            session, team_id=record.team_id, ritual_id=record.id, day=day, prompted=prompted
        )
    for run_row in waiting:
        _send_one(
            db=db,
            client=client,
            record=record,
            run=run_row,
            channel=record.channel_id,
            text=render.summary_text(summary),
            blocks=render.summary(summary),
            thread_ts=thread_ts,
        )
    _unless_waiting(db, record, day)


# Messages ---------------------------------------------------------------------------


def ensure_thread(
    *,
    db: Database,
    client: WebClient,
    record: StandupRecord,
    day: date,
    at: datetime,
    retry: bool = True,
) -> str | None:
    """The ts of the day's thread in the channel, posting its first message if need be.

    With `retry`, a thread Slack refused before (say, the bot was not in the channel) is
    tried again; an answer or the cut-off does that, a prompt step does not.
    """
    key = standups.thread_key(day)
    with db.transaction() as session:
        standups.claim_all(
            session,
            team_id=record.team_id,
            ritual_id=record.id,
            occurrences=[key],
            scheduled_for=at,
        )
    deadline = clock.monotonic() + THREAD_WAIT_SECONDS
    while True:
        with db.transaction() as session:
            thread = standups.run(
                session, team_id=record.team_id, ritual_id=record.id, occurrence=key
            )
            assert thread is not None
            if thread.ts:
                return thread.ts
            won = standups.take(
                session, team_id=record.team_id, run_id=thread.id, retry_failed=True
            )
        if won:
            sent = _send_one(
                db=db,
                client=client,
                record=record,
                run=thread,
                channel=record.channel_id,
                text=render.thread_text(record=record, day=day),
                blocks=render.thread(record=record, day=day),
                taken=True,
            )
            return sent.ts
        if thread.state != "sending" or clock.monotonic() > deadline:
            return None
        clock.sleep(0.05)


def _send_waiting(
    *,
    db: Database,
    client: WebClient,
    record: StandupRecord,
    prefix: str,
    message: Callable[[str], tuple[str, list[dict[str, Any]]]],
) -> set[str]:
    """Send every claimed DM under `prefix`, each at most once; tell the owner what failed.
    The people this call sent theirs to."""
    with db.transaction() as session:
        runs = standups.waiting(session, team_id=record.team_id, ritual_id=record.id, prefix=prefix)
    gate = RateGate()

    def send(run_row: RunRecord) -> tuple[str, Sent]:
        user = run_row.occurrence.rsplit("/", 1)[1]
        text, blocks = message(user)
        sent = _send_one(
            db=db,
            client=client,
            record=record,
            run=run_row,
            channel=user,
            text=text,
            blocks=blocks,
            gate=gate,
        )
        return user, sent

    results = list(SENDERS.map(send, runs))
    failed = [
        (user, sent.why)
        for user, sent in results
        if sent.ts is None and not sent.retry and sent.error != "taken"
    ]
    if failed:
        _tell_owner(client=client, record=record, text=render.prompts_failed(record, failed))
    return {user for user, sent in results if sent.ts}


def _send_one(
    *,
    db: Database,
    client: WebClient,
    record: StandupRecord,
    run: RunRecord,
    channel: str,
    text: str,
    blocks: list[dict[str, Any]],
    thread_ts: str | None = None,
    taken: bool = False,
    gate: RateGate | None = None,
) -> Sent:
    if not taken:
        with db.transaction() as session:
            if not standups.take(session, team_id=record.team_id, run_id=run.id):
                return Sent(error="taken")
    extra = {"thread_ts": thread_ts} if thread_ts else {}
    sent = call(
        client.chat_postMessage, gate=gate, channel=channel, text=text, blocks=blocks, **extra
    )
    if sent.ts:
        state = "sent"
    elif sent.unknown:
        state = "unknown"
    elif sent.retry and run.attempts + 1 < MAX_ATTEMPTS:  # the take counted this attempt
        state = "claimed"
    else:
        state = "failed"
        sent = replace(sent, retry=False)
    with db.transaction() as session:
        standups.finish(
            session,
            team_id=record.team_id,
            run_id=run.id,
            state=state,
            channel=channel,
            ts=sent.ts,
            error=sent.error,
        )
    if state == "failed" and channel == record.channel_id:
        _tell_owner(client=client, record=record, text=render.channel_failed(record, sent.why))
    return sent


def _tell_owner(*, client: WebClient, record: StandupRecord, text: str) -> None:
    sent = call(client.chat_postMessage, channel=record.owner_id, text=text)
    if sent.ts is None:
        log.warning("could not tell %s about standup %s: %s", record.owner_id, record.id, text)


def publish_answer(
    *, db: Database, client: WebClient, record: StandupRecord, answer: AnswerRecord
) -> Sent:
    """Post the answer in the day's thread once, or edit the posted message to match it."""
    if answer.message_ts and answer.message_ts != standups.POSTING:
        text, blocks = render.answer(record=record, answer=answer)
        return call(
            client.chat_update,
            channel=record.channel_id,
            ts=answer.message_ts,
            text=text,
            blocks=blocks,
        )
    thread_ts = ensure_thread(
        db=db, client=client, record=record, day=answer.day, at=datetime.now(UTC)
    )
    if thread_ts is None:
        return Sent(error="no_thread", retry=True)
    with db.transaction() as session:
        if not standups.reserve_post(session, team_id=record.team_id, answer_id=answer.id):
            return Sent(error="taken")
    text, blocks = render.answer(record=record, answer=answer)
    sent = call(
        client.chat_postMessage,
        channel=record.channel_id,
        thread_ts=thread_ts,
        text=text,
        blocks=blocks,
    )
    with db.transaction() as session:
        ts = sent.ts or (standups.POSTING if sent.unknown else None)
        standups.set_answer_ts(session, team_id=record.team_id, answer_id=answer.id, ts=ts)
        latest = standups.answer_of(
            session,
            team_id=record.team_id,
            ritual_id=record.id,
            day=answer.day,
            user_id=answer.user_id,
        )
    if sent.ts and latest and latest.answers != answer.answers:
        # Edited while the first version was on its way: make the message follow the edit.
        return publish_answer(db=db, client=client, record=record, answer=latest)
    return sent
