"""Connecting the experiments webhook through /ritual and posting to it over HTTP."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.conftest import ALICE, CHANNEL, TEAM
from tests.support.delivery import command

TOKEN = re.compile(r"rbk_[A-Za-z0-9_-]{20,}")


def answer_text(answer: Any) -> str:
    return answer.body["text"] if isinstance(answer.body, dict) else str(answer.body)


def connect(bot, *, user: str = ALICE, team: str = TEAM, channel: str = CHANNEL) -> str:
    """`/ritual connect webhook`: the token it shows."""
    answer = command(bot, "/ritual", "connect webhook", user=user, team=team, channel=channel)
    found = TOKEN.search(answer_text(answer))
    assert found, answer.body
    return found.group(0)


def send(bot, token: str | None, body: Any = None, **kwargs: Any) -> httpx.Response:
    """POST /hooks/experiments with the token (none: no Authorization header)."""
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return httpx.post(f"{bot.url}/hooks/experiments", json=body, headers=headers, **kwargs)
