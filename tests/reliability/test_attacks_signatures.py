"""Requests not signed by Slack, or replayed after their window: 401, nothing stored or sent."""

from __future__ import annotations

import time

import pytest
import time_machine

from bot.ids import ActionId
from sandbox.delivery import payload_body
from tests.conftest import TEAM
from tests.support import ledger
from tests.support.signed import (
    click_payload,
    command_body,
    count,
    event_body,
    form,
    post,
    submission_payload,
)

FORGERIES = {
    "missing": {"secret": None},
    "wrong": {"headers": {"X-Slack-Signature": "v0=" + "0" * 64}},
    "another secret": {"secret": "another-apps-signing-secret"},
    "stale timestamp": {"timestamp": -6 * 60},
    "from the future": {"timestamp": +6 * 60},
}


def bodies(slack):
    return {
        "command": (
            command_body(slack, text="Forged problem"),
            "application/x-www-form-urlencoded",
        ),
        "button": (
            payload_body(click_payload(slack, action_id=ActionId.PROBLEM_NEW, value="home")),
            "application/x-www-form-urlencoded",
        ),
        "view submission": (
            payload_body(submission_payload(slack, values=form())),
            "application/x-www-form-urlencoded",
        ),
        "event": (
            event_body(slack, {"type": "app_home_opened", "user": "U0ALICE", "tab": "home"}),
            "application/json",
        ),
    }


@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_forged_requests_of_every_kind_are_refused_and_change_nothing(bot, forgery):
    url = f"{bot.url}/slack/events"
    before = len(bot.slack.calls())
    for kind, (body, content_type) in bodies(bot.slack).items():
        options = dict(FORGERIES[forgery])
        if "timestamp" in options:  # an offset from now, taken as the request is sent
            options["timestamp"] += int(time.time())
        headers = options.pop("headers", None)
        if headers:
            # A correct timestamp with a signature that does not match it.
            headers = {**headers, "X-Slack-Request-Timestamp": str(int(time.time()))}
            answer = post(url, body, content_type=content_type, secret=None, headers=headers)
        else:
            answer = post(url, body, content_type=content_type, **options)
        bot.settle()
        assert answer.status_code == 401, (kind, answer.status_code)
    assert count(bot.runtime.db) == 0
    assert len(bot.slack.calls()) == before
    ledger.record(
        area="attack",
        fault=f"signature {forgery} (command, button, view submission, event)",
        tries=4,
        outcome="401 each time; nothing stored, no Slack call",
    )


def test_a_valid_request_replayed_after_its_window_is_refused(bot):
    url = f"{bot.url}/slack/events"
    body = command_body(bot.slack, text="Captured once")
    stamp = int(time.time())
    first = post(url, body, timestamp=stamp)
    bot.settle()
    assert first.status_code == 200 and count(bot.runtime.db) == 1
    calls = len(bot.slack.calls())

    # The same bytes and signature, sent again six minutes later (tick=True: time goes on).
    with time_machine.travel(time.time() + 6 * 60, tick=True):
        again = post(url, body, timestamp=stamp)
        bot.settle()

    assert again.status_code == 401
    assert count(bot.runtime.db, TEAM) == 1
    assert len(bot.slack.calls()) == calls
    ledger.record(
        area="attack",
        fault="valid signed command replayed 6 minutes later",
        tries=1,
        outcome="401; the original's one problem only",
    )
