"""Requests whose signature cannot be verified, for any reason, are refused before Bolt
reads them: 401, no Web API call, no request to their response_url, nothing stored, and one
warning line without a traceback."""

from __future__ import annotations

import logging
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.ids import ActionId, CallbackId
from sandbox.delivery import payload_body
from sandbox.signing import sign
from tests.conftest import CHANNEL, SIGNING_SECRET
from tests.support import ledger
from tests.support.listener import Listener
from tests.support.signed import (
    click_payload,
    command_body,
    count,
    form,
    interaction,
    post,
    post_payload,
    submission_payload,
)

VICTIM = "UVICTIM"


def forged_click(response_url: str | None) -> dict:
    """The attacker's payload from the report: a button click naming a victim."""
    payload = {
        "type": "block_actions",
        "user": {"id": VICTIM},
        "team": {"id": "T0001"},
        "actions": [{"action_id": "x", "value": "1", "block_id": "b"}],
    }
    if response_url:
        payload["response_url"] = response_url
    return payload


BAD_TIMESTAMPS = ["abc", "1e9", "", "+1700000000", "1700000000.5", "-1", "١٧٠٠٠٠٠٠٠٠", "9" * 40]


@pytest.mark.parametrize("stamp", BAD_TIMESTAMPS)
@pytest.mark.parametrize("with_response_url", [True, False], ids=["response_url", "no url"])
def test_a_malformed_timestamp_is_refused_and_nothing_acts_on_the_payload(
    bot, caplog, stamp, with_response_url
):
    with Listener() as attacker:
        payload = forged_click(attacker.url if with_response_url else None)
        signature = sign(body=payload_body(payload), secret=SIGNING_SECRET, timestamp=1)
        headers = {
            "X-Slack-Request-Timestamp": stamp.encode(),
            "X-Slack-Signature": signature["X-Slack-Signature"],
        }
        calls = len(bot.slack.calls())
        caplog.clear()
        answer = post_payload(f"{bot.url}/slack/events", payload, secret=None, headers=headers)
        bot.settle()

        assert answer.status_code == 401
        assert len(bot.slack.calls()) == calls, "the bot called Slack for an unsigned request"
        assert attacker.hits == [], "the bot sent a request to the attacker's URL"
    assert count(bot.runtime.db) == 0
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "not signed by Slack" in warnings[0].getMessage()
    assert all(r.exc_info is None for r in caplog.records), "a traceback was logged"
    ledger.record(
        area="attack",
        fault=f"timestamp header {stamp[:12]!r}, payload naming a victim"
        + (" and a response_url" if with_response_url else ""),
        tries=1,
        outcome="401; no Slack call, no outbound request, one warning without traceback",
    )


def test_a_signed_request_with_a_response_url_off_slack_is_refused(bot, caplog):
    with Listener() as attacker:
        payload = forged_click(attacker.url)
        calls = len(bot.slack.calls())
        answer = post_payload(f"{bot.url}/slack/events", payload)
        bot.settle()

        assert answer.status_code == 400
        assert attacker.hits == []
    assert len(bot.slack.calls()) == calls
    assert "response_url" in caplog.text
    ledger.record(
        area="attack",
        fault="signed click whose response_url is not Slack's",
        tries=1,
        outcome="400 before any listener; nothing posted to that URL",
    )


# Header values as any client could send them: printable Latin-1 (what HTTP carries; HTTP
# trims the ends), and near-misses of the real shapes.
HEADER = st.one_of(
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"))
    .map(str.strip)
    .map(lambda value: value.encode("latin-1")),
    st.from_regex(r"\A-?[0-9]{0,14}(\.[0-9]*)?\Z"),
    st.from_regex(r"\Av[0-9]=[0-9a-fA-F]{0,70}\Z"),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(stamp=HEADER, signature=HEADER)
def test_no_header_values_get_a_request_past_verification(module_bot, stamp, signature):
    made = module_bot
    calls = len(made.slack.calls())
    body = command_body(made.slack, text="Forged problem")
    headers = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}

    answer = post(f"{made.url}/slack/events", body, secret=None, headers=headers)
    made.settle()

    assert answer.status_code == 401
    assert len(made.slack.calls()) == calls
    assert count(made.runtime.db) == 0


def test_the_one_right_signature_still_gets_through(module_bot):
    """The property above cannot pass by refusing everything."""
    made = module_bot
    body = command_body(made.slack, text="help")
    stamp = int(time.time())
    answer = post(
        f"{made.url}/slack/events",
        body,
        secret=None,
        headers=sign(body=body, secret=SIGNING_SECRET, timestamp=stamp),
    )
    assert answer.status_code == 200
    ledger.record(
        area="attack",
        fault="arbitrary timestamp and signature header values (hypothesis)",
        tries=60,
        outcome="401 every time, no Slack call, nothing stored; the right signature passes",
    )


ORG_WIDE = {
    "team": None,
    "enterprise": {"id": "E111", "name": "Org"},
    "is_enterprise_install": True,
}


@pytest.mark.parametrize("kind", ["button", "view submission", "message shortcut"])
def test_an_org_wide_payload_without_a_workspace_is_ignored_not_a_crash(bot, caplog, kind):
    payload = {
        "button": lambda: click_payload(bot.slack, action_id=ActionId.PROBLEM_NEW, value="home"),
        "view submission": lambda: submission_payload(bot.slack, values=form()),
        "message shortcut": lambda: (
            interaction(bot.slack, "message_action")
            | {
                "callback_id": CallbackId.CAPTURE_AS_PROBLEM,
                "channel": {"id": CHANNEL},
                "message": {"ts": "1.2"},
            }
        ),
    }[kind]()
    payload |= ORG_WIDE
    calls = len(bot.slack.calls())

    answer = post_payload(f"{bot.url}/slack/events", payload)
    bot.settle()

    assert answer.status_code == 200
    assert len(bot.slack.calls()) == calls
    assert count(bot.runtime.db) == 0
    assert "names no workspace" in caplog.text
    assert all(r.exc_info is None for r in caplog.records), "a traceback was logged"
    ledger.record(
        area="malformed",
        fault=f"org-wide {kind} with team: null",
        tries=1,
        outcome="200, ignored with one log line; nothing stored or sent",
    )
