"""Malformed but correctly signed requests: refused with a 4xx (or a harmless, justified
200), logged, and nothing stored or sent."""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qsl, urlencode

import pytest

from sandbox.delivery import payload_body
from tests.support import ledger
from tests.support.signed import command_body, count, event_body, form, post, submission_payload


def without(body: bytes, *names: str) -> bytes:
    return urlencode([(k, v) for k, v in parse_qsl(body.decode()) if k not in names]).encode()


def cases(slack):
    capture = command_body(slack, text="Malformed capture")
    submission = payload_body(submission_payload(slack, values=form()))
    event = event_body(slack, {"type": "app_home_opened", "user": "U0ALICE", "tab": "home"})
    unknown = submission_payload(slack, values=form()) | {"type": "view_teleport"}
    return {
        "truncated payload JSON": (submission[: len(submission) // 2], "form"),
        "truncated event JSON": (event[: len(event) // 2], "json"),
        "command as text/plain": (capture, "text/plain"),
        "event JSON sent as a form": (event, "form"),
        "command without team_id": (without(capture, "team_id"), "form"),
        "command without user_id": (without(capture, "user_id"), "form"),
        "command without trigger_id": (without(capture, "trigger_id", "response_url"), "form"),
        "payload without view": (
            payload_body(
                {
                    k: v
                    for k, v in json.loads(dict(parse_qsl(submission.decode()))["payload"]).items()
                    if k != "view"
                }
            ),
            "form",
        ),
        "unknown payload type": (payload_body(unknown), "form"),
        "empty body": (b"", "form"),
        "payload that is a JSON list": (urlencode({"payload": "[1, 2]"}).encode(), "form"),
    }


CONTENT_TYPES = {
    "form": "application/x-www-form-urlencoded",
    "json": "application/json",
    "text/plain": "text/plain",
}


def test_malformed_requests_are_refused_and_store_nothing(bot, caplog):
    url = f"{bot.url}/slack/events"
    before = len(bot.slack.calls())
    answers, logged = {}, {}
    for name, (body, kind) in cases(bot.slack).items():
        caplog.clear()
        answer = post(url, body, content_type=CONTENT_TYPES[kind])
        bot.settle()
        answers[name] = answer.status_code
        logged[name] = bool(caplog.records)
        if name.startswith("command without"):
            # Signed, so from Slack: the person who typed it sees this instead of Slack's
            # opaque "failed with http_client_error" that a 4xx would show them.
            assert answer.status_code == 200 and "nothing was saved" in answer.json()["text"]
    refused = {n: s for n, s in answers.items() if not n.startswith("command without")}
    assert {n: s for n, s in refused.items() if s not in (400, 404)} == {}
    assert [n for n, seen in logged.items() if not seen] == []
    assert count(bot.runtime.db) == 0
    assert len(bot.slack.calls()) == before
    ledger.record(
        area="malformed",
        fault="truncated JSON, wrong content type, missing fields, unknown type, empty body",
        tries=len(answers),
        outcome=", ".join(f"{n}: {s}" for n, s in answers.items()),
    )


@pytest.mark.parametrize("size", [1_000_001, 5_000_000])
def test_oversized_bodies_are_refused_before_verification(bot, caplog, size):
    caplog.set_level(logging.WARNING)
    body = urlencode({"text": "x" * size}).encode()
    answer = post(f"{bot.url}/slack/events", body, timeout=30)

    assert answer.status_code == 413
    assert "refused a request body" in caplog.text
    assert count(bot.runtime.db) == 0
    ledger.record(
        area="malformed",
        fault=f"oversized body ({size // 1000} kB)",
        tries=1,
        outcome="413, logged, nothing read further",
    )
