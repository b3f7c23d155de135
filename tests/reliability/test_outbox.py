"""The outbox against the emulator: each message reaches Slack once, whatever Slack does."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from jobs.outbox import LEASE, Sender
from runtime.config import load
from runtime.slack_api import job_client
from storage import outbox, sends
from storage.db import Database
from storage.outbox import OutboxMessage, OutboxState, Outgoing, Relation
from tests.conftest import ALICE, BOB, CHANNEL, QUIET_CHANNEL, SIGNING_SECRET, TEAM
from tests.support import ledger
from tests.support.slack import posted

NOON = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def sender(emulator, db: Database, clock) -> Iterator[Sender]:
    settings = load(
        {
            "SLACK_BOT_TOKEN": emulator.workspace(TEAM).bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": emulator.api_url,
        }
    )
    client = job_client(settings, token=settings.bot_token)
    yield Sender(db=db, client_for=lambda _team: client)


def enqueue(db: Database, **fields) -> int:
    values = {"team_id": TEAM, "what": "P-1's card", "channel": CHANNEL, "text": "hello"}
    with db.transaction() as session:
        return outbox.enqueue(session, Outgoing(**(values | fields)))


def row(db: Database, message_id: int) -> OutboxMessage:
    with db.reading() as session:
        found = session.get(OutboxMessage, message_id)
        assert found is not None
        return found


def test_a_message_is_sent_once_stamped_with_its_id(emulator, db, sender):
    first = enqueue(db)

    assert sender.send() == 1
    assert sender.send() == 0

    [call] = posted(emulator, CHANNEL)
    assert call.args["metadata"]["event_payload"] == {"outbox_id": first}
    sent = row(db, first)
    assert sent.state == OutboxState.SENT and sent.ts == call.response["ts"]


def test_slack_down_is_retried_with_backoff_then_sent(emulator, db, sender, clock):
    message = enqueue(db)
    emulator.inject("chat.postMessage", status=503, times=10)

    assert sender.send() == 0
    waiting = row(db, message)
    assert waiting.state == OutboxState.PENDING and waiting.next_try_at > NOON
    assert sender.send() == 0, "tried again before its backoff ran out"

    emulator.faults.clear()
    clock.move_to(waiting.next_try_at)
    assert sender.send() == 1
    assert [m.text for m in emulator.messages(CHANNEL)] == ["hello"]
    ledger.record(
        area="outbox",
        fault="chat.postMessage answering 503",
        tries=1,
        outcome="pending with backoff, then sent once",
    )


def test_a_refusal_fails_the_message_and_tells_its_owner_once(emulator, db, sender):
    message = enqueue(db, channel=QUIET_CHANNEL, owner=ALICE)
    reply = enqueue(db, channel=QUIET_CHANNEL, after=message, relation=Relation.REPLY)

    sender.send()
    sender.send()

    assert row(db, message).state == OutboxState.FAILED
    assert row(db, reply).state == OutboxState.FAILED
    notices = [c for c in emulator.calls("chat.postMessage") if c.args["channel"] == ALICE]
    assert len(notices) == 1
    assert "couldn't post P-1's card" in notices[0].args["text"]
    assert "invite me" in notices[0].args["text"]


def test_a_reply_waits_for_its_parent_and_goes_in_its_thread(emulator, db, sender, clock):
    parent = enqueue(db)
    reply = enqueue(db, text="in the thread", after=parent, relation=Relation.REPLY)
    emulator.inject("chat.postMessage", status=503, times=3)

    sender.send()
    assert row(db, reply).state == OutboxState.PENDING and row(db, reply).attempts == 0

    emulator.faults.clear()
    clock.move_to(NOON + timedelta(hours=1))
    sender.send()

    thread_ts = row(db, parent).ts
    assert [m.text for m in emulator.thread(CHANNEL, thread_ts)][1:] == ["in the thread"]


def test_an_edit_of_a_pending_message_changes_it_before_it_is_sent(emulator, db, sender):
    message = enqueue(db, text="first")
    with db.transaction() as session:
        outbox.edit(session, team_id=TEAM, of=message, text="second", blocks=[])

    sender.send()

    assert [c.args["text"] for c in posted(emulator, CHANNEL)] == ["second"]
    assert emulator.calls("chat.update") == []


def test_an_edit_of_a_sent_message_updates_it_in_place(emulator, db, sender):
    message = enqueue(db, text="first")
    sender.send()
    with db.transaction() as session:
        outbox.edit(session, team_id=TEAM, of=message, text="second", blocks=[])
        outbox.edit(session, team_id=TEAM, of=message, text="third", blocks=[])

    sender.send()

    [update] = emulator.calls("chat.update")
    assert update.args["text"] == "third" and update.args["ts"] == row(db, message).ts


@pytest.mark.parametrize("posted_before_crash", [True, False], ids=["posted", "not posted"])
def test_an_interrupted_send_is_looked_for_before_it_is_sent_again(
    emulator, db, sender, clock, posted_before_crash
):
    message = enqueue(db, channel=BOB, what="a standup prompt")
    if posted_before_crash:
        # The post reached Slack, then its answer was lost: Slack has it, we don't know.
        emulator.inject("chat.postMessage", lose_answer=True)
    else:
        # The process died right after its claim was committed.
        with sender.db.transaction() as session:
            sends.claim(session, team_id=TEAM, now=NOON, limit=10)
    sender.send()
    assert row(db, message).state == OutboxState.CLAIMED

    clock.move_to(NOON + LEASE + timedelta(seconds=1))
    sender.sweep()

    dms = [c for c in emulator.calls("chat.postMessage") if c.args["channel"] == BOB]
    assert len(dms) == 1
    assert row(db, message).state == OutboxState.SENT and row(db, message).ts
    ledger.record(
        area="outbox",
        fault="send interrupted " + ("after Slack posted" if posted_before_crash else "before"),
        tries=1,
        outcome="found by its stamp, not sent twice" if posted_before_crash else "sent once",
    )


def test_an_interrupted_reply_deep_in_a_busy_thread_is_found_not_sent_again(
    emulator, db, sender, clock
):
    """A standup thread takes 2,000 answers in minutes: the lost one is looked for on every
    page of the thread since it was queued, not on the first only."""
    thread = enqueue(db, text="Standup · Mon 30 Nov")
    sender.send()
    parent = row(db, thread).ts
    for n in range(450):
        emulator.post_as_user(
            team_id=TEAM, user_id=ALICE, channel=CHANNEL, text=f"answer {n}", thread_ts=parent
        )
    answer = enqueue(db, text="Bob's answer", after=thread, relation=Relation.REPLY)
    emulator.inject("chat.postMessage", lose_answer=True)
    sender.send()
    assert row(db, answer).state == OutboxState.CLAIMED

    clock.move_to(NOON + LEASE + timedelta(seconds=1))
    sender.sweep()

    posts = [c for c in emulator.calls("chat.postMessage") if c.args.get("text") == "Bob's answer"]
    assert len(posts) == 1 and row(db, answer).state == OutboxState.SENT


def test_the_same_key_is_enqueued_once(db, clock):
    first = enqueue(db, key="digest:2026-W48")
    again = enqueue(db, key="digest:2026-W48", text="other")

    assert first == again
    with db.reading() as session:
        assert len(session.scalars(select(OutboxMessage)).all()) == 1


def test_three_senders_at_once_send_each_message_once(emulator, db, sender):
    """Several clock processes drain one outbox (on PostgreSQL with SKIP LOCKED)."""
    with db.transaction() as session:
        for n in range(120):
            outbox.enqueue(
                session,
                Outgoing(team_id=TEAM, what=f"message {n}", channel=CHANNEL, text=f"m{n}"),
            )
    others = [
        Sender(
            db=Database.from_url(str(db.engine.url.render_as_string(False))),
            client_for=sender.client_for,
        )
        for _ in range(2)
    ]
    counts: list[int] = []
    threads = [
        threading.Thread(target=lambda s=s: counts.append(s.send())) for s in [sender, *others]
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    texts = [m.text for m in emulator.messages(CHANNEL)]
    assert sorted(texts) == sorted(f"m{n}" for n in range(120))
    assert sum(counts) == 120
    for other in others:
        other.db.dispose()


def test_an_interrupted_send_that_cannot_be_looked_for_is_not_risked_twice(
    emulator, db, sender, clock
):
    message = enqueue(db, owner=ALICE)
    emulator.inject("chat.postMessage", lose_answer=True)
    sender.send()
    emulator.inject("conversations.history", error="missing_scope")

    clock.move_to(NOON + LEASE + timedelta(seconds=1))
    sender.sweep()

    assert len(emulator.messages(CHANNEL)) == 1
    assert row(db, message).state == OutboxState.FAILED
    [notice] = [c for c in emulator.calls("chat.postMessage") if c.args["channel"] == ALICE]
    assert "can't read the channel to check" in notice.args["text"]
