"""The emulator's lifecycle, polling helper and standalone entry point."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from slack_sdk import WebClient

from sandbox.emulator import SlackEmulator
from tests.sandbox.conftest import TEAM

REPO = Path(__file__).resolve().parents[2]


def test_stop_frees_the_port():
    emulator = SlackEmulator(signing_secret="s").start()
    url = emulator.api_url
    assert httpx.post(url + "auth.test").json()["error"] == "not_authed"
    emulator.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.post(url + "auth.test")


def test_wait_for_sees_work_done_on_another_thread(emulator: SlackEmulator, client: WebClient):
    threading.Timer(0.05, lambda: client.chat_postMessage(channel="C1", text="later")).start()
    emulator.wait_for(lambda: emulator.messages("C1"), timeout=2)
    assert [m.text for m in emulator.messages("C1")] == ["later"]
    with pytest.raises(AssertionError):
        emulator.wait_for(lambda: emulator.messages("C2"), timeout=0.05)


def test_bot_user_is_created_with_the_workspace(emulator: SlackEmulator, client: WebClient):
    workspace = emulator.world.workspaces[TEAM]
    bot = client.users_info(user=workspace.bot_user_id)["user"]
    assert (bot["is_bot"], workspace.bot_token) == (True, "xoxb-T1-emulator")
    assert workspace.bot_id.startswith("B") and workspace.bot_user_id.startswith("U")


def test_standalone_emulator_prints_its_api_url_and_serves_a_seeded_workspace():
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox.emulator", "--port", "0", "--signing-secret", "s"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        api_url = process.stdout.readline().strip()
        client = WebClient(base_url=api_url, token="xoxb-T0001-emulator")
        assert client.conversations_info(channel="C0001")["channel"]["name"] == "general"
        assert client.users_info(user="U0001")["ok"] is True
    finally:
        process.terminate()
        process.wait(timeout=5)
