"""The sandbox keeps one clock: what the page and the bot show comes from sandbox time, not
the real time the test runs at, and moves on when the page fast-forwards it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from sandbox import demo_team
from sandbox.run import Sandbox
from storage.types import utcnow

# A Monday morning, far from any real today: before 09:30 in London and Toronto, after it in
# Shanghai and Kolkata, so the demo's next ritual is London's standup prompt.
START = datetime(2025, 6, 2, 7, 0, tzinfo=UTC)
LONDON_PROMPT = datetime(2025, 6, 2, 8, 30, tzinfo=UTC)  # 09:30 BST
SLACK_DATE = re.compile(r"<!date\^(\d+)\^")


@pytest.fixture
def sandbox(database_url: str) -> Iterator[Sandbox]:
    with Sandbox(port=0, demo_data=True, database_url=database_url, clock_start=START) as running:
        yield running


def act(sandbox: Sandbox, **body) -> dict:
    return httpx.post(
        f"{sandbox.url}/_sandbox/act", json={"user": demo_team.ADA, **body}, timeout=30
    ).json()


def state(sandbox: Sandbox) -> dict:
    query = {"user": demo_team.ADA, "channel": demo_team.ML_TEAM}
    return httpx.get(f"{sandbox.url}/_sandbox/state", params=query, timeout=30).json()


def sandbox_now(sandbox: Sandbox) -> datetime:
    return datetime.fromisoformat(state(sandbox)["clock"]["now"])


def stamp(message: dict) -> datetime:
    return datetime.fromtimestamp(float(message["ts"]), UTC)


def say(sandbox: Sandbox, text: str) -> dict:
    act(sandbox, type="message", channel=demo_team.ML_TEAM, text=text)
    return next(m for m in reversed(state(sandbox)["messages"]) if m["text"] == text)


def next_rituals(sandbox: Sandbox) -> list[datetime]:
    """When Ada's board says each ritual next starts (the date tokens of 'Next rituals')."""
    before = state(sandbox).get("home")
    act(sandbox, type="home")
    sandbox.emulator.wait_for(lambda: state(sandbox).get("home") not in (None, before))
    blocks = state(sandbox)["home"]["blocks"]
    heading = next(
        i
        for i, b in enumerate(blocks)
        if b["type"] == "header" and b["text"]["text"] == "Next rituals"
    )
    text = blocks[heading + 1]["text"]["text"]
    return [datetime.fromtimestamp(int(epoch), UTC) for epoch in SLACK_DATE.findall(text)]


def test_message_stamps_follow_the_sandbox_clock_and_its_fast_forward(sandbox):
    first = say(sandbox, "morning all")
    assert START <= stamp(first) < START + timedelta(minutes=5)

    moved = act(sandbox, type="advance")
    assert moved["ok"], moved
    later = say(sandbox, "prompt came")

    assert stamp(later) >= LONDON_PROMPT == datetime.fromisoformat(moved["now"])
    assert sandbox_now(sandbox) - stamp(later) < timedelta(minutes=5)


def test_the_app_runs_on_the_sandbox_clock_while_the_sandbox_runs(sandbox):
    assert START <= utcnow() < START + timedelta(minutes=5)


def test_logged_by_says_when_by_sandbox_time(sandbox):
    act(sandbox, type="advance")
    act(sandbox, type="message", channel=demo_team.ML_TEAM, text="/experiment P-1 0.72 focal loss")
    act(sandbox, type="message", channel=demo_team.ML_TEAM, text="/experiment show E-6")

    shown = next(m for m in reversed(state(sandbox)["messages"]) if "Logged by" in str(m))
    [logged] = [
        datetime.fromtimestamp(int(epoch), UTC)
        for epoch in SLACK_DATE.findall(str(shown["blocks"]))
    ]
    assert LONDON_PROMPT <= logged <= sandbox_now(sandbox)


def test_next_rituals_never_lists_a_time_already_past(sandbox):
    assert min(next_rituals(sandbox)) == LONDON_PROMPT

    for _ in range(3):  # London's prompt, its reminder, Toronto's prompt
        assert act(sandbox, type="advance")["ok"]
        now = sandbox_now(sandbox)
        upcoming = next_rituals(sandbox)
        assert upcoming and all(at > now for at in upcoming), (now, upcoming)
