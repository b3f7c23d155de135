"""The Slack Web API misbehaving: bounded retries where safe, a clear word to the person
otherwise, the problem kept, the process alive, and no loop hammering Slack."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import runtime.slack_api
from tests.conftest import ALICE, CHANNEL, TEAM
from tests.reliability.conftest import make_bot, stop_bot
from tests.support import ledger
from tests.support.signed import form, stored
from tests.support.slack import rendered

ERRORS = {
    "not_in_channel": "/invite @ritualbot",
    "channel_not_found": "/invite @ritualbot",
    "channel_is_archived": "archived",
    "account_inactive": "reinstall ritualbot",
    "invalid_auth": "reinstall ritualbot",
}
# Faults the client retries, with the most calls one post may then make.
RETRIED = {
    "429 storm": ({"status": 429, "retry_after": 1}, 4, "rate-limiting"),
    "500 answers": ({"status": 500}, 3, "having trouble"),
    "503 answers": ({"status": 503}, 3, "having trouble"),
}


@pytest.fixture
def impatient_bot(emulator, database_url) -> Iterator:
    """The app with a 1-second Slack timeout, so timeouts can be tried quickly."""
    patch = pytest.MonkeyPatch()
    patch.setattr(runtime.slack_api, "SLACK_TIMEOUT_SECONDS", 1)
    made = make_bot(emulator, database_url)
    yield made
    stop_bot(made)
    patch.undo()


def capture(made, title: str):
    answer = made.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/problem", text=title
    )
    made.settle()
    return answer


def told(made) -> str:
    return rendered([r.body for r in made.slack.responses])


def still_works(made, title: str) -> None:
    made.slack.faults.clear()
    answer = capture(made, title)
    assert answer.status == 200 and "Captured" in rendered(answer.body)


@pytest.mark.parametrize("error", list(ERRORS))
def test_a_card_slack_refuses_keeps_the_problem_and_says_why(bot, error):
    bot.slack.inject("chat.postMessage", error=error, times=5)
    answer = capture(bot, f"Refused with {error}")

    assert answer.status == 200 and "Captured *P-1" in rendered(answer.body)
    [problem] = stored(bot.runtime.db)
    assert problem.card_ts is None
    assert ERRORS[error] in told(bot) and "P-1 is saved" in told(bot)
    assert len(bot.slack.calls("chat.postMessage")) == 1
    still_works(bot, "After the fault")
    ledger.record(
        area="Slack API",
        fault=f"chat.postMessage answers {error}",
        tries=1,
        outcome="problem kept; one call, no retry; the person is told why and what to do",
    )


def test_a_card_whose_answer_is_lost_is_posted_once(bot):
    """Slack posts the card, then the connection drops before its answer: not sent again."""
    bot.slack.inject("chat.postMessage", lose_answer=True, times=5)
    answer = capture(bot, "Answer lost on the way back")

    assert answer.status == 200 and "Captured *P-1" in rendered(answer.body)
    assert len(stored(bot.runtime.db)) == 1
    cards = [m for m in bot.slack.messages(CHANNEL) if "Answer lost" in rendered(m.blocks)]
    assert len(cards) == 1
    assert "P-1 is saved" in told(bot)
    still_works(bot, "After the lost answer")
    ledger.record(
        area="Slack API",
        fault="chat.postMessage posts the card, then the connection drops before the answer",
        tries=1,
        outcome="card posted once, not sent again; problem kept; the person is told",
    )


@pytest.mark.parametrize("fault", list(RETRIED))
def test_retryable_answers_are_retried_a_bounded_number_of_times(bot, fault):
    spec, most, words = RETRIED[fault]
    bot.slack.inject("chat.postMessage", times=50, **spec)
    answer = capture(bot, f"Under {fault}")

    assert answer.status == 200
    calls = len(bot.slack.calls("chat.postMessage"))
    assert 1 < calls <= most
    [problem] = stored(bot.runtime.db)
    assert problem.card_ts is None
    assert words in told(bot)
    still_works(bot, "After the storm")
    ledger.record(
        area="Slack API",
        fault=f"chat.postMessage: {fault} (50 in a row)",
        tries=1,
        outcome=f"{calls} calls then stop; problem kept; the person is told",
    )


def test_a_card_post_that_times_out_is_not_repeated(impatient_bot):
    made = impatient_bot
    made.slack.inject("chat.postMessage", delay=2, times=5)
    answer = capture(made, "Slow Slack")

    assert answer.status == 200 and "Captured" in rendered(answer.body)
    made.slack.wait_for(lambda: len(made.slack.calls("chat.postMessage")) >= 1)
    # Slack may have posted a card it did not answer for: posting again could duplicate it.
    assert len(made.slack.calls("chat.postMessage")) == 1
    assert "did not answer in time" in told(made)
    assert len(stored(made.runtime.db)) == 1
    ledger.record(
        area="Slack API",
        fault="chat.postMessage times out",
        tries=1,
        outcome="one call, not repeated (Slack may have acted); problem kept; the person is told",
    )


@pytest.mark.parametrize("error", ["invalid_auth", "expired_trigger_id", "500"])
def test_a_form_slack_will_not_open_is_explained(bot, error):
    fault = {"status": 500} if error == "500" else {"error": error}
    bot.slack.inject("views.open", times=5, **fault)
    answer = bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/problem"
    )
    bot.settle()

    assert answer.status == 200
    assert "I couldn't do that" in told(bot)
    assert len(bot.slack.calls("views.open")) <= 3
    assert stored(bot.runtime.db) == []
    ledger.record(
        area="Slack API",
        fault=f"views.open answers {error}",
        tries=1,
        outcome="acked; the person is told what failed; at most 3 calls",
    )


def test_a_revoked_token_on_a_modal_save_keeps_the_problem(bot):
    bot.slack.slash_command(team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/problem")
    bot.settle()
    bot.slack.revoke_token(bot.slack.workspace(TEAM).bot_token)
    answer = bot.slack.submit_view(user_id=ALICE, values=form())
    bot.settle()

    assert answer.status == 200
    assert len(stored(bot.runtime.db)) == 1
    # The card post and the DM that would explain it both fail with invalid_auth: two calls.
    assert len(bot.slack.calls("chat.postMessage")) == 2
    ledger.record(
        area="Slack API",
        fault="token revoked before a modal is saved",
        tries=1,
        outcome="problem kept; two calls (card, DM attempt), no loop",
    )
