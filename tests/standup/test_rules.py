"""Pure standup rules: command parsing, settings checks, Slack failure classes, the rate gate."""

from __future__ import annotations

from datetime import date
from http.client import RemoteDisconnected
from urllib.error import URLError

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.commands import Help, OpenForm
from bot.errors import UsageError, ValidationFailed
from bot.standup.answers import NOTHING
from bot.standup.commands import (
    StandupNow,
    StandupPause,
    StandupResume,
    StandupSkip,
    parse_standup,
)
from bot.standup.settings import SettingsDraft, _checked
from jobs.delivery import RateGate, call


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", OpenForm()),
        ("  help ", Help()),
        ("NOW", StandupNow()),
        ("skip", StandupSkip(None)),
        ("skip until 2026-12-31", StandupSkip(date(2026, 12, 31))),
        ("pause", StandupPause()),
        ("resume", StandupResume()),
    ],
)
def test_standup_words(text, expected):
    assert parse_standup(text) == expected


@pytest.mark.parametrize("text", ["now please", "skip until tomorrow", "skip until", "later"])
def test_anything_else_is_a_usage_error_with_an_example(text):
    with pytest.raises(UsageError) as raised:
        parse_standup(text)
    assert "/standup" in raised.value.message


def draft(**overrides) -> SettingsDraft:
    values = {
        "weekdays": ["1", "3", "5"],
        "local_time": "09:30",
        "timezone_rule": "team",
        "timezone": "Asia/Kolkata",
        "participants_rule": "channel",
        "participants": [],
        "questions": "What moved?\n\n  Any blockers?  \n",
        "reminder_minutes": "60",
        "cutoff_time": "12:00",
        "holidays": "2026-12-25, 2026-12-24\n2026-12-25",
    }
    return SettingsDraft(**{**values, **overrides})


def test_good_settings_are_normalised():
    checked = _checked(draft())
    assert checked["weekdays"] == [1, 3, 5]
    assert checked["questions"] == ["What moved?", "Any blockers?"]
    assert checked["holidays"] == ["2026-12-24", "2026-12-25"]
    assert checked["reminder_minutes"] == 60


def test_no_reminder_is_stored_as_none():
    assert _checked(draft(reminder_minutes="0"))["reminder_minutes"] is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"reminder_minutes": "240"}, "reminder_minutes"),
        ({"cutoff_time": "09:00"}, "cutoff_time"),
        ({"local_time": None}, "local_time"),
        ({"participants_rule": "chosen", "participants": []}, "participants"),
        ({"questions": "\n".join(f"q{n}" for n in range(9))}, "questions"),
        ({"questions": "x" * 151}, "questions"),
        ({"timezone": "EST5EDT+1"}, "timezone"),
    ],
)
def test_each_bad_field_is_named(overrides, field):
    with pytest.raises(ValidationFailed) as raised:
        _checked(draft(**overrides))
    assert field in raised.value.errors


@pytest.mark.parametrize("text", ["none", "None.", "no", "n/a", "-", "No blockers", "nothing"])
def test_answers_that_mean_no_blocker(text):
    assert NOTHING.match(text)


@pytest.mark.parametrize("text", ["Waiting on GPU quota", "no GPU quota yet", "None of the labels"])
def test_answers_that_are_blockers(text):
    assert not NOTHING.match(text)


def slack_error(status: int, body: dict, headers: dict | None = None) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.com/api/chat.postMessage",
        req_args={},
        data=body,
        headers=headers or {},
        status_code=status,
    )
    return SlackApiError("failed", response)


class Fake:
    def __init__(self, *outcomes):
        self.outcomes, self.calls = list(outcomes), 0

    def __call__(self, **_args):
        self.calls += 1
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_429_is_waited_out_exactly_and_the_call_made_again():
    clock = Clock()
    gate = RateGate(clock=clock, sleep=clock.sleep)
    do = Fake(
        slack_error(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "7"}), {"ts": "1.2"}
    )
    sent = call(do, gate=gate, channel="U1", text="hi")
    assert (sent.ts, do.calls, clock.now) == ("1.2", 2, 7.0)


@pytest.mark.parametrize(
    ("error", "retry", "unknown"),
    [
        (slack_error(200, {"ok": False, "error": "account_inactive"}), False, False),
        (slack_error(200, {"ok": False, "error": "not_in_channel"}), False, False),
        (slack_error(503, {"ok": False, "error": "service_unavailable"}), True, False),
        # urllib wraps what happens before the request is sent: Slack never saw it.
        (URLError(ConnectionRefusedError()), True, False),
        # A reset while reading the answer: Slack may have posted it.
        (RemoteDisconnected("closed without an answer"), False, True),
        (TimeoutError(), False, True),
    ],
)
def test_failures_say_whether_trying_again_is_safe(error, retry, unknown):
    sent = call(Fake(error), channel="U1", text="hi")
    assert sent.ts is None and (sent.retry, sent.unknown) == (retry, unknown)


def test_the_gate_holds_every_sender_until_the_latest_pause_ends():
    clock = Clock()
    gate = RateGate(clock=clock, sleep=clock.sleep)
    gate.pause(3)
    gate.pause(1)
    assert gate.wait() == 3 and clock.now == 3
    assert gate.wait() == 0


def test_a_big_summary_stays_within_slacks_limits_and_pings_nobody():
    from bot.standup.answers import DaySummary
    from bot.standup.render_summary import summary

    people = tuple(f"U{n:05d}" for n in range(120))
    shown = summary(
        DaySummary(
            day=date(2026, 11, 27),
            answered=people[:100],
            missing=people[100:],
            blockers=tuple((u, "<!here> need GPUs & data") for u in people[:60]),
        )
    )
    assert len(shown) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in shown if b["type"] == "section")
    text = str(shown)
    assert "and 60 more" in text and "…and 20 more" in text
    assert "<!here>" not in text and "&lt;!here&gt; need GPUs &amp; data" in text
