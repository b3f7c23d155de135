"""Follow-ups (cards, hints) run after the ack, and neither fail nor lose a request's answer."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

from handlers.follow_ups import FollowUps


def test_a_failing_follow_up_is_logged_and_the_pool_goes_on(caplog):
    follow_ups = FollowUps()
    ran = threading.Event()

    def broken() -> None:
        raise RuntimeError("Slack went away")

    try:
        follow_ups.submit(broken)
        follow_ups.submit(ran.set)
        assert ran.wait(5)
    finally:
        follow_ups.shutdown()
    assert "follow-up broken failed" in caplog.text


def test_a_follow_up_submitted_during_shutdown_is_dropped_not_raised(caplog):
    """A listener submits its card after its ack: a submit that raised there would tell the
    person something went wrong with a capture that was saved."""
    follow_ups = FollowUps()
    follow_ups.shutdown()

    def card() -> None:
        pass

    follow_ups.submit(card)

    assert "follow-up card dropped: shutting down" in caplog.text


def test_a_worker_that_exits_still_runs_the_follow_ups_it_has_queued(tmp_path):
    """A deploy stops each web worker; the cards it has queued are posted as it exits,
    rather than left for the sweep minutes later."""
    done = tmp_path / "done"
    script = f"""
from handlers.follow_ups import FollowUps
follow_ups = FollowUps()
for n in range(50):
    follow_ups.submit(lambda n=n: open({str(done)!r}, "a").write(f"{{n}}\\n"))
"""
    exited = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert exited.returncode == 0, exited.stderr
    assert sorted(int(n) for n in done.read_text().split()) == list(range(50))


def test_past_its_backlog_a_follow_up_is_left_out_not_queued(caplog):
    """A burst must not queue work that takes the CPU from the acks still to come: a card
    left out waits in the outbox for the clock's sweep."""
    caplog.set_level(logging.INFO)
    release = threading.Event()
    ran: list[int] = []
    follow_ups = FollowUps(backlog=3)
    for n in range(5):
        follow_ups.submit(lambda n=n: (release.wait(10), ran.append(n)))
    release.set()
    follow_ups.shutdown()

    assert sorted(ran) == [0, 1, 2]
    assert caplog.text.count("left out: 3 already waiting") == 2


def test_a_follow_up_waits_while_the_process_answers_a_request():
    """Whoever waits for an ack comes first: a card or a hint starts once no request is
    being answered (the outbox keeps the card until then)."""
    follow_ups = FollowUps()
    ran = threading.Event()
    try:
        with follow_ups.answering():
            follow_ups.submit(ran.set)
            assert not ran.wait(0.3)
        assert ran.wait(5)
    finally:
        follow_ups.shutdown()
