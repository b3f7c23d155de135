"""The sender serves many workspaces: one that Slack holds back (a rate limit, an outage)
must not hold back the others, nor use up tries of messages it never sent."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from jobs.outbox import Sender
from runtime.config import load
from runtime.slack_api import job_client
from storage import outbox
from storage.db import Database
from storage.outbox import OutboxMessage, OutboxState, Outgoing
from tests.conftest import ALICE, BOB, CAROL, CHANNEL, OTHER_TEAM, TEAM

NOON = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def sender_for(emulator, db: Database) -> Sender:
    settings = load({"SLACK_API_URL": emulator.api_url})
    clients = {
        team: job_client(settings, token=emulator.workspace(team).bot_token)
        for team in (TEAM, OTHER_TEAM)
    }
    return Sender(db=db, client_for=clients.__getitem__)


def enqueue(db: Database, *, team_id: str, channel: str, text: str) -> int:
    with db.transaction() as session:
        message = Outgoing(team_id=team_id, what=text, channel=channel, text=text)
        return outbox.enqueue(session, message)


def test_a_workspace_waiting_out_a_rate_limit_holds_up_no_other(emulator, db):
    enqueue(db, team_id=TEAM, channel=CHANNEL, text="ours")
    enqueue(db, team_id=OTHER_TEAM, channel="C0OTHER", text="theirs")
    emulator.inject("chat.postMessage", status=429, retry_after=2)

    assert sender_for(emulator, db).send() == 2

    calls = emulator.calls("chat.postMessage")
    [limited] = [c.team_id for c in calls if c.status == 429]
    answered = [c.team_id for c in calls if c.status == 200]
    assert answered[-1] == limited, "the other workspace waited for this one's rate limit"


def test_slack_down_for_a_workspace_leaves_its_other_messages_untried(emulator, db):
    with time_machine.travel(NOON, tick=False):
        first, *rest = [
            enqueue(db, team_id=TEAM, channel=user, text=f"prompt {user}")
            for user in (ALICE, BOB, CAROL)
        ]
        emulator.inject("chat.postMessage", status=503, times=20)

        assert sender_for(emulator, db).send() == 0

    assert {c.args["channel"] for c in emulator.calls("chat.postMessage")} == {ALICE}
    with db.reading() as session:
        tried = session.get(OutboxMessage, first)
        waiting = [session.get(OutboxMessage, id_) for id_ in rest]
    assert tried.attempts == 1 and tried.state == OutboxState.PENDING
    for message in waiting:
        assert message.state == OutboxState.PENDING and message.attempts == 0
        assert message.next_try_at == tried.next_try_at > NOON


def test_slack_down_costs_one_try_a_workspace_a_round_however_much_waits(emulator, db):
    with time_machine.travel(NOON, tick=False):
        queued = [
            enqueue(db, team_id=TEAM, channel=(ALICE, BOB, CAROL)[n % 3], text=f"prompt {n}")
            for n in range(25)
        ]
        emulator.inject("chat.postMessage", status=503, times=1000)

        assert sender_for(emulator, db).send() == 0

    tried = {
        c.args["metadata"]["event_payload"]["outbox_id"] for c in emulator.calls("chat.postMessage")
    }
    assert tried == {queued[0]}
    with db.reading() as session:
        rows = [session.get(OutboxMessage, id_) for id_ in queued]
    assert all(r.state == OutboxState.PENDING for r in rows)
    assert [r.attempts for r in rows] == [1] + [0] * 24, "a try used up without a call"
