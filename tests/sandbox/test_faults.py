"""Injected faults, rate limits, and the HTTP control endpoints."""

from __future__ import annotations

import time

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from sandbox.emulator import SlackEmulator
from tests.sandbox.conftest import TOKEN


def test_injected_500_answers_plain_text_once(client: WebClient, emulator: SlackEmulator):
    emulator.inject("chat.postMessage", status=500)
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="x")
    assert raised.value.response.status_code == 500
    assert client.chat_postMessage(channel="C1", text="y")["ok"] is True
    assert [c.status for c in emulator.calls("chat.postMessage")] == [500, 200]
    assert [m.text for m in emulator.messages("C1")] == ["y"]


def test_injected_error_on_any_method_for_n_times(client: WebClient, emulator: SlackEmulator):
    emulator.inject("*", error="fatal_error", times=2)
    for call in (client.auth_test, client.team_info):
        with pytest.raises(SlackApiError) as raised:
            call()
        assert raised.value.response.status_code == 200
        assert raised.value.response["error"] == "fatal_error"
    assert client.auth_test()["ok"] is True


def test_injected_delay_slows_the_answer_and_can_time_a_client_out(emulator: SlackEmulator):
    emulator.inject("auth.test", delay=0.3)
    started = time.monotonic()
    assert httpx.post(emulator.api_url + "auth.test", data={"token": TOKEN}).json()["ok"]
    assert time.monotonic() - started >= 0.3
    emulator.inject("auth.test", delay=0.5)
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(emulator.api_url + "auth.test", data={"token": TOKEN}, timeout=0.1)


def test_injected_429_carries_retry_after(emulator: SlackEmulator):
    emulator.inject("users.info", status=429, retry_after=7)
    answer = httpx.post(emulator.api_url + "users.info", data={"token": TOKEN, "user": "U1"})
    assert (answer.status_code, answer.headers["Retry-After"]) == (429, "7")
    assert answer.json() == {"ok": False, "error": "ratelimited"}


def test_rate_limits_are_off_by_default(client: WebClient, emulator: SlackEmulator):
    for _ in range(25):
        client.users_list()
    assert {c.status for c in emulator.calls("users.list")} == {200}


def test_tier_limit_answers_429_and_the_sdk_retry_handler_recovers(
    emulator: SlackEmulator, client: WebClient
):
    emulator.set_rate_limits(enabled=True, scale=60)
    for _ in range(20):
        client.users_list()
    with pytest.raises(SlackApiError) as raised:
        client.users_list()
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "1"
    patient = WebClient(
        base_url=emulator.api_url,
        token=TOKEN,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)],
    )
    assert patient.users_list()["ok"] is True
    assert [c.status for c in emulator.calls("users.list")][-3:] == [429, 429, 200]


def test_post_message_is_limited_per_channel_not_per_workspace(
    emulator: SlackEmulator, client: WebClient
):
    emulator.add_channel(team_id="T1", channel_id="C7", name="other")
    emulator.set_rate_limits(enabled=True)
    for _ in range(3):
        client.chat_postMessage(channel="C1", text="burst")
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="too fast")
    assert int(raised.value.response.headers["Retry-After"]) >= 1
    assert client.chat_postMessage(channel="C7", text="elsewhere")["ok"] is True
    assert len(emulator.messages("C1")) == 3


def test_control_endpoints_for_another_process(client: WebClient, emulator: SlackEmulator):
    client.chat_postMessage(channel="C1", text="hello")
    calls = httpx.get(emulator.base_url + "/_emulator/calls", params={"method": "chat.postMessage"})
    assert [c["args"]["text"] for c in calls.json()] == ["hello"]
    messages = httpx.get(emulator.base_url + "/_emulator/messages", params={"channel": "C1"})
    assert [m["text"] for m in messages.json()] == ["hello"]
    injected = httpx.post(
        emulator.base_url + "/_emulator/inject", json={"method": "auth.test", "error": "boom"}
    )
    assert injected.json()["ok"] is True
    with pytest.raises(SlackApiError):
        client.auth_test()
    bad = httpx.post(emulator.base_url + "/_emulator/inject", json={"nope": 1})
    assert bad.status_code == 400
    httpx.post(emulator.base_url + "/_emulator/reset")
    assert emulator.calls() == []
