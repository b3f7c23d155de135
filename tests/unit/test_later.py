"""Follow-up work gives way to requests waiting for their ack, and still gets done."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot import later
from bot.later import Later, Traffic
from tests.support.waiting import eventually


@pytest.fixture
def pool():
    traffic = Traffic()
    made = Later(traffic)
    yield traffic, made
    made.shutdown()


def test_a_follow_up_waits_for_the_request_in_flight_to_be_answered(pool, monkeypatch):
    monkeypatch.setattr(later, "YIELD_SECONDS", 30.0)
    traffic, made = pool
    ran = threading.Event()
    with traffic.request():
        made.submit(ran.set)
        assert not ran.wait(0.2)  # the request is still being answered
    assert ran.wait(5)  # answered: the follow-up starts at once


def test_follow_ups_still_run_while_requests_never_stop(pool, monkeypatch):
    monkeypatch.setattr(later, "YIELD_SECONDS", 0.01)
    traffic, made = pool
    done = []
    with traffic.request():
        for n in range(5):
            made.submit(lambda n=n: done.append(n))
        assert made.wait_idle(5)
    assert sorted(done) == [0, 1, 2, 3, 4]


def test_a_backlog_started_in_a_quiet_moment_gives_way_to_the_next_burst(monkeypatch):
    """The cards of one burst must not take the CPU from the acks of the next."""
    monkeypatch.setattr(later, "YIELD_SECONDS", 30.0)
    traffic = Traffic()
    made = Later(traffic, workers=2)
    go_on = threading.Event()
    started: list[int] = []

    def card(n: int) -> None:
        started.append(n)
        go_on.wait(5)

    try:
        for n in range(10):
            made.submit(card, n=n)  # a quiet moment: as many start as there are threads
        assert eventually(lambda: len(started) == 2)
        with traffic.request():  # the next burst begins
            go_on.set()
            assert not eventually(lambda: len(started) > 2, timeout=0.5)
        assert made.wait_idle(5)  # the burst is answered: the rest go out
        assert sorted(started) == list(range(10))
    finally:
        go_on.set()
        made.shutdown()


def test_a_failing_follow_up_is_logged_and_the_pool_goes_on(pool, caplog):
    _traffic, made = pool
    ran = threading.Event()

    def broken() -> None:
        raise RuntimeError("Slack went away")

    made.submit(broken)
    made.submit(ran.set)

    assert ran.wait(5) and made.wait_idle(5)
    assert "follow-up broken failed" in caplog.text


def test_the_gap_between_two_requests_of_a_burst_is_not_a_quiet_moment(monkeypatch):
    monkeypatch.setattr(later, "YIELD_SECONDS", 30.0)
    traffic = Traffic(quiet=0.3)
    made = Later(traffic)
    ran = threading.Event()
    try:
        with traffic.request():
            made.submit(ran.set)
        for _ in range(20):  # back-to-back requests, a few milliseconds apart
            with traffic.request():
                assert not ran.wait(0.02)
        assert not ran.is_set()
        assert ran.wait(5)  # then nothing for `quiet` seconds: it starts
    finally:
        made.shutdown()


def test_a_follow_up_submitted_during_shutdown_is_dropped_not_raised(caplog):
    """A quick capture acks in its request thread and then submits its card: a submit that
    raised there would turn the confirmed capture's answer into an error."""
    made = Later(Traffic())
    made.shutdown()

    def card() -> None:
        pass

    made.submit(card)

    assert made.wait_idle(1)
    assert "follow-up card dropped: shutting down" in caplog.text


def test_a_worker_that_exits_still_runs_the_follow_ups_it_has_queued(tmp_path):
    """A deploy stops each web worker; the cards it has queued are posted as it exits,
    rather than left for the sweep minutes later."""
    done = tmp_path / "done"
    script = f"""
from bot.later import Later, Traffic
traffic = Traffic()
made = Later(traffic)
with traffic.request():  # a burst: nothing has its moment yet
    for n in range(50):
        made.submit(lambda n=n: open({str(done)!r}, "a").write(f"{{n}}\\n"))
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
