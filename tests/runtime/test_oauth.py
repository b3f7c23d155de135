"""Multi-workspace mode: installs through OAuth, and each workspace answered with its own token."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import create_engine, text

from runtime.config import load
from runtime.process import build
from runtime.server import InProcessServer
from storage.secrets import SecretBox, new_key
from tests.conftest import ALICE, CHANNEL, OTHER_TEAM, SIGNING_SECRET, TEAM
from tests.support.executor import IdleTrackingExecutor

CLIENT_ID, CLIENT_SECRET = "1111.2222", "oauth-client-secret"
SECRET_KEY = new_key()


@pytest.fixture
def oauth_bot(emulator, database_url) -> Iterator[str]:
    emulator.register_oauth_client(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    settings = load(
        {
            "SLACK_CLIENT_ID": CLIENT_ID,
            "SLACK_CLIENT_SECRET": CLIENT_SECRET,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": emulator.api_url,
            "DATABASE_URL": database_url,
            "RITUALBOT_SECRET_KEY": SECRET_KEY,
        }
    )
    executor = IdleTrackingExecutor()
    runtime = build(
        settings, listener_executor=executor, follow_up_executor=IdleTrackingExecutor(4)
    )
    server = InProcessServer(runtime.web).start()
    emulator.app_url = f"{server.url}/slack/events"
    yield server.url
    executor.wait_idle()
    runtime.follow_ups.pool.wait_idle(10)
    server.stop()
    runtime.follow_ups.shutdown()
    runtime.db.dispose()


def begin_install(url: str) -> tuple[str, dict[str, str]]:
    """Open the install page: the OAuth state, and the browser cookie that must come back with it."""
    page = httpx.get(f"{url}/slack/install")
    state = re.search(r"state=([\w-]+)", page.text).group(1)
    # The state cookie is marked Secure, so a client on plain http would drop it; send it by hand.
    cookie = page.headers["set-cookie"].split(";", 1)[0]
    return state, {"Cookie": cookie}


def install(emulator, url: str, *, team: str, user: str) -> httpx.Response:
    state, cookie = begin_install(url)
    code = emulator.approve_install(team_id=team, user_id=user)
    return httpx.get(
        f"{url}/slack/oauth_redirect", params={"code": code, "state": state}, headers=cookie
    )


def test_each_installed_workspace_is_answered_with_its_own_token(emulator, oauth_bot):
    assert install(emulator, oauth_bot, team=TEAM, user=ALICE).status_code == 200
    assert install(emulator, oauth_bot, team=OTHER_TEAM, user="U0MALLORY").status_code == 200

    for team, user, channel in ((TEAM, ALICE, CHANNEL), (OTHER_TEAM, "U0MALLORY", "C0OTHER")):
        answer = emulator.slash_command(
            team_id=team,
            user_id=user,
            channel_id=channel,
            command="/problem",
            text=f"{team} problem",
        )
        assert answer.status == 200 and "P-1" in str(answer.body)
    emulator.wait_for(lambda: len(emulator.calls("chat.postMessage")) == 2)

    posts = {c.team_id: c.args["channel"] for c in emulator.calls("chat.postMessage")}
    assert posts == {TEAM: CHANNEL, OTHER_TEAM: "C0OTHER"}


def not_served(emulator) -> bool:
    """The command was answered only with the 'not installed' notice, and nothing posted."""
    emulator.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/problem", text="Not installed"
    )
    told = [r for r in emulator.responses if "not installed in this workspace" in str(r.body)]
    return len(told) == 1 and emulator.calls("chat.postMessage") == []


def test_a_workspace_that_never_installed_is_not_served(emulator, oauth_bot):
    assert not_served(emulator)


def test_a_forged_authorization_code_installs_nothing(emulator, oauth_bot):
    state, cookie = begin_install(oauth_bot)
    answer = httpx.get(
        f"{oauth_bot}/slack/oauth_redirect",
        params={"code": "forged", "state": state},
        headers=cookie,
    )
    assert answer.status_code >= 400
    assert not_served(emulator)


def test_slack_tokens_are_stored_sealed_and_still_answer(emulator, oauth_bot, database_url):
    assert install(emulator, oauth_bot, team=TEAM, user=ALICE).status_code == 200
    issued = emulator.workspace(TEAM).bot_token

    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as connection:
        stored = [
            *connection.execute(text("SELECT bot_token FROM slack_bots")).scalars(),
            *connection.execute(text("SELECT bot_token FROM slack_installations")).scalars(),
        ]
    engine.dispose()
    assert stored and all(issued not in token and "xoxb" not in token for token in stored)
    assert {SecretBox([SECRET_KEY]).open(token) for token in stored} == {issued}

    answer = emulator.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/problem", text="Sealed"
    )
    assert answer.status == 200 and "P-1" in str(answer.body)
    emulator.wait_for(lambda: len(emulator.calls("chat.postMessage")) == 1)
