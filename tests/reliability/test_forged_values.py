"""Button values and form metadata that Slack's own UI never sends (only a forged, yet signed,
request can): answered like a missing record, never an unhandled error, nothing stored."""

from __future__ import annotations

import json
import logging

import pytest

from bot.ids import ActionId, CallbackId
from tests.support import ledger
from tests.support.signed import click_payload, count, post_payload, submission_payload

CLICKS = [
    (ActionId.PROBLEM_ADD_DETAILS, "1²"),
    (ActionId.PROBLEM_ADD_DETAILS, "١"),
    (ActionId.DECIDE_SHIP, "P-1"),
    (ActionId.ANALYSIS_START, "-3"),
    (ActionId.STANDUP_OPEN, "x:2026-01-01"),
    (ActionId.STANDUP_OPEN, "1:not-a-day"),
    (ActionId.LOG_EXPERIMENT_FROM_STANDUP, "standup-answer:1²"),
]


def unhandled(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(("action", "value"), CLICKS)
def test_a_forged_button_value_is_answered_not_a_crash(bot, caplog, action, value):
    answer = post_payload(
        f"{bot.url}/slack/events", click_payload(bot.slack, action_id=action, value=value)
    )
    bot.settle()

    assert answer.status_code == 200
    assert unhandled(caplog) == []
    assert count(bot.runtime.db) == 0
    ledger.record(
        area="attack",
        fault=f"forged value {value!r} on the {action} button",
        tries=1,
        outcome="answered like a missing record; no unhandled error",
    )


FORMS = [
    (CallbackId.DECISION_MODAL, {"problem": "1", "kind": "nonsense", "channel": "C0ML"}),
    (CallbackId.DECISION_MODAL, {"problem": "x"}),
    (CallbackId.ANALYSIS_MODAL, {"experiment": "E-1"}),
    (CallbackId.STANDUP_ANSWER, {"ritual": "x", "day": "yesterday"}),
]


@pytest.mark.parametrize(("callback", "metadata"), FORMS)
def test_forged_form_metadata_is_answered_not_a_crash(bot, caplog, callback, metadata):
    payload = submission_payload(bot.slack, values={}, metadata=metadata)
    payload["view"]["callback_id"] = callback
    payload["view"]["private_metadata"] = json.dumps(metadata)

    answer = post_payload(f"{bot.url}/slack/events", payload)
    bot.settle()

    assert answer.status_code == 200
    assert "Something went wrong" not in answer.text
    assert unhandled(caplog) == []
    assert count(bot.runtime.db) == 0
