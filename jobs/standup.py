"""The standup's messages: the day's thread, DM prompts, one reminder, answers and the
cut-off summary, each put in the outbox (jobs/outbox.py sends them) so each reaches Slack
once, whatever Slack or the process does.

Every message of a day has a key (its standup, day, kind and person), so a step run twice,
by a retry, a restart or a second clock, queues nothing new. Answers and the summary reply
in the day's thread: they wait in the outbox until it is posted. Nothing here calls Slack
but reading the roster (jobs/roster.py), which only reads.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.schedule import local_instant, parse_key
from bot.standup import answers as standup_answers
from bot.standup import away as time_away
from bot.standup import blockers, participation, render, render_summary, replies
from bot.standup import service as standups
from bot.standup.blockers import OpenBlocker
from bot.standup.service import CLOSE, PROMPT, REMIND, PromptedNow, StandupRecord
from jobs import roster
from jobs.outbox import PERSON_WAITING_PATIENCE, Sender
from jobs.standup_answers import queue_answer
from jobs.standup_thread import day_thread, key
from storage import outbox
from storage.db import Database
from storage.outbox import OutboxState, Outgoing, Relation

log = logging.getLogger(__name__)

SUMMARY = "summary"


def run(
    *, db: Database, client: WebClient, ritual_id: int, occurrence: str, scheduled_for: datetime
) -> None:
    """The clock's job for one step of one day (in one timezone): queue its messages."""
    day, step, zone = parse_key(occurrence)
    with db.transaction() as session:
        record = standups.for_job(session, ritual_id=ritual_id)
    if record is None or not record.enabled:
        return
    if step == PROMPT and not record.roster:
        record = roster.sync(db=db, client=client, record=record)
    with db.transaction() as session:
        if step == PROMPT:
            queue_prompts(session, record=record, day=day, zone=zone)
        elif step == REMIND:
            queue_reminders(session, record=record, day=day, zone=zone)
        elif step == CLOSE:
            queue_summary(session, record=record, day=day, at=scheduled_for)


# Steps ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Queued:
    """Prompts queued by one step: the day's thread and each new prompt's id, by person."""

    thread: int | None
    prompts: dict[str, int]

    @property
    def ids(self) -> list[int]:
        return [*self.prompts.values(), *([self.thread] if self.thread else [])]


def queue_prompts(
    session: Session, *, record: StandupRecord, day: date, zone: str | None
) -> Queued:
    """A prompt for each participant in `zone` (everyone when None) not away on `day` and
    not prompted for it yet."""
    away = time_away.away_on(session, team_id=record.team_id, day=day)
    users = [
        u for u in record.roster if (zone is None or record.zone_of(u) == zone) and u not in away
    ]
    if not users:
        return Queued(thread=None, prompts={})
    thread = day_thread(session, record=record, day=day, again=False)
    # Who is still blocked by what they raised at an earlier standup: asked about it.
    blocked = blockers.open_before(session, team_id=record.team_id, ritual_id=record.id, day=day)
    # Who is prompted may answer by replying in the DM (bot/standup/replies.py).
    replies.open_conversations(session, record=record, day=day, users=users)
    stored: dict[str, int] = {}
    for (closes, zone), readers in by_reader(record, day, users).items():
        for blocker, people_of in _by_blocker(readers, blocked).items():
            text, blocks = render.prompt(
                record=record, day=day, closes=closes, zone=zone, blocker=blocker
            )
            stored |= _queue_dms(
                session,
                record=record,
                day=day,
                step=PROMPT,
                users=people_of,
                text=text,
                blocks=blocks,
            )
    return Queued(thread=thread, prompts=stored)


def _by_blocker(
    users: list[str], blocked: dict[str, OpenBlocker]
) -> dict[OpenBlocker | None, list[str]]:
    """`users` by the earlier blocker their prompt asks about (most: none)."""
    groups: dict[OpenBlocker | None, list[str]] = defaultdict(list)
    for u in users:
        groups[blocked.get(u)].append(u)
    return groups


def by_reader(
    record: StandupRecord, day: date, users: list[str]
) -> dict[tuple[datetime | None, str], list[str]]:
    """`users` by their cut-off and their own timezone, so that each DM names the cut-off
    in its reader's time (a London-time standup closes at 23:30 in Kolkata)."""
    groups: dict[tuple[datetime | None, str], list[str]] = defaultdict(list)
    for u in users:
        closes = record.cutoff_for(u, day) if record.cutoff_time else None
        groups[(closes, record.own_zone(u))].append(u)
    return groups


def _queue_dms(
    session: Session,
    *,
    record: StandupRecord,
    day: date,
    step: str,
    users: list[str],
    text: str,
    blocks: list[dict[str, Any]],
) -> dict[str, int]:
    """The same DM to each of `users`, once per day and step; the new ones' ids, by person.
    A prompt Slack refuses is told to the standup's owner; a reminder is not worth it."""
    by_key = {key(record, day, step, u): u for u in users}
    stored = outbox.enqueue_all(
        session,
        [
            Outgoing(
                team_id=record.team_id,
                what=f"the standup {'reminder' if step == REMIND else 'prompt'} of {day:%a %d %b}",
                channel=user,
                text=text,
                blocks=blocks,
                owner=record.owner_id if step == PROMPT else None,
                key=message_key,
            )
            for message_key, user in by_key.items()
        ],
    )
    return {by_key[k]: id_ for k, id_ in stored.items()}


def prompted(session: Session, *, record: StandupRecord, day: date) -> set[str]:
    """Who got the day's prompt."""
    return participation.prompted_on(session, team_id=record.team_id, ritual_id=record.id, day=day)


def queue_reminders(
    session: Session, *, record: StandupRecord, day: date, zone: str | None
) -> None:
    """One reminder to each person prompted for `day` (in `zone`) who has not answered."""
    answered = {
        a.user_id
        for a in standup_answers.answers_of_day(
            session, team_id=record.team_id, ritual_id=record.id, day=day
        )
    }
    users = sorted(prompted(session, record=record, day=day) - answered)
    users = [u for u in users if zone is None or record.zone_of(u) == zone]
    for (closes, own_zone), readers in by_reader(record, day, users).items():
        text, blocks = render.reminder(record=record, day=day, closes=closes, zone=own_zone)
        _queue_dms(
            session, record=record, day=day, step=REMIND, users=readers, text=text, blocks=blocks
        )


def queue_summary(session: Session, *, record: StandupRecord, day: date, at: datetime) -> None:
    """At the last cut-off of the day: any answer whose post was refused queued again, then
    the summary, in the day's thread."""
    if record.cutoff_time is None:
        return
    zones = {record.zone_of(u) for u in record.roster} or {record.timezone}
    if at < max(local_instant(day, record.cutoff_time, z) for z in zones):
        return
    answers = standup_answers.answers_of_day(
        session, team_id=record.team_id, ritual_id=record.id, day=day
    )
    people = prompted(session, record=record, day=day)
    if not answers and not people:
        return
    for answer in answers:
        queue_answer(session, record=record, answer=answer, unless_queued=True)
    summary = replace(
        standup_answers.summary(
            session, team_id=record.team_id, ritual_id=record.id, day=day, people=record.roster
        ),
        standing=blockers.standing(session, team_id=record.team_id, ritual_ids=[record.id], on=day),
    )
    thread = day_thread(session, record=record, day=day, again=True)
    outbox.enqueue(
        session,
        Outgoing(
            team_id=record.team_id,
            what=f"the standup summary of {day:%a %d %b}",
            channel=record.channel_id,
            text=render_summary.summary_text(summary),
            blocks=render_summary.summary(summary),
            after=thread,
            relation=Relation.REPLY,
            owner=record.owner_id,
            key=key(record, day, SUMMARY),
        ),
    )


# `/standup now` ---------------------------------------------------------------------


def prompt_now(
    *, db: Database, client: WebClient, sender: Sender, record: StandupRecord, now: datetime
) -> PromptedNow:
    """Prompt everyone not prompted yet on their own today, at once. The caller has claimed
    today's round (standups.start_now), so nobody else queues it."""
    if not record.roster:
        record = roster.sync(db=db, client=client, record=record)
    pairs = {
        (standups.zone_today(record, user_id=u, now=now), record.zone_of(u)) for u in record.roster
    }
    with db.transaction() as session:
        rounds = [
            queue_prompts(session, record=record, day=day, zone=zone) for day, zone in sorted(pairs)
        ]
    ids = [i for queued in rounds for i in queued.ids]
    sender.send(ids, patience=PERSON_WAITING_PATIENCE)
    with db.reading() as session:
        states = outbox.states(session, team_id=record.team_id, ids=ids)
    people = {u: states.get(i) for queued in rounds for u, i in queued.prompts.items()}

    def who(*wanted: OutboxState | None) -> tuple[str, ...]:
        return tuple(sorted(u for u, state in people.items() if state in wanted))

    return PromptedNow(
        sent=who(OutboxState.SENT),
        waiting=who(OutboxState.PENDING, OutboxState.CLAIMED),
        refused=who(OutboxState.FAILED),
    )
