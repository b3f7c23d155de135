"""Every kind of Slack redelivery has exactly one effect; slow Slack never delays an ack."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

import sandbox.delivery
from bot.ids import ActionId
from tests.conftest import ALICE, CHANNEL, TEAM
from tests.reliability.conftest import make_bot, stop_bot
from tests.support import ledger
from tests.support.signed import SLACK_DEADLINE, form, stored
from tests.support.slack import posted, rendered


def test_a_command_retried_three_times_at_once_stores_one_problem(bot):
    first = bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/problem", text="Retried"
    )
    with ThreadPoolExecutor(max_workers=3) as pool:
        again = list(pool.map(lambda n: bot.slack.redeliver(first, retry_num=n), (1, 2, 3)))
    bot.settle()

    assert {a.status for a in [first, *again]} == {200}
    assert len(stored(bot.runtime.db)) == 1
    assert len(posted(bot.slack, CHANNEL)) == 1
    ledger.record(
        area="redelivery",
        fault="slash command retried 3 times, concurrently",
        tries=3,
        outcome="one problem, one card; each retry answered 'Already captured'",
    )


def test_a_retried_home_event_publishes_the_same_home(bot):
    bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/problem", text="On the board"
    )
    bot.settle()
    first = bot.slack.open_home(team_id=TEAM, user_id=ALICE)
    bot.settle()
    home = bot.slack.home(team_id=TEAM, user_id=ALICE)
    again = bot.slack.redeliver(first, retry_num=1, reason="http_timeout")
    bot.settle()

    assert first.status == again.status == 200
    assert bot.slack.home(team_id=TEAM, user_id=ALICE)["blocks"] == home["blocks"]
    assert rendered(home).count("On the board") == 1
    assert len(posted(bot.slack, CHANNEL)) == 1
    ledger.record(
        area="redelivery",
        fault="app_home_opened event retried",
        tries=1,
        outcome="the same Home published again (idempotent), nothing else done",
    )


def test_a_double_clicked_button_opens_one_form(bot):
    bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/problem", text="Click me"
    )
    bot.settle()
    with ThreadPoolExecutor(max_workers=2) as pool:
        clicks = list(
            pool.map(
                lambda _: bot.slack.click(
                    team_id=TEAM,
                    user_id=ALICE,
                    action_id=ActionId.PROBLEM_ADD_DETAILS,
                    value="1",
                    channel_id=CHANNEL,
                ),
                range(2),
            )
        )
    bot.settle()

    assert {c.status for c in clicks} == {200}
    open_forms = [v for v in bot.slack.views(user_id=ALICE) if not v.closed]
    assert len(open_forms) == 1
    assert len(stored(bot.runtime.db)) == 1
    ledger.record(
        area="redelivery",
        fault="'Add details' double-clicked",
        tries=2,
        outcome="one open form, nothing written",
    )


@pytest.mark.parametrize("edit", [False, True], ids=["new", "edit"])
def test_a_double_submitted_form_has_one_effect(bot, edit):
    text = "" if not edit else "Will be edited"
    bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/problem", text=text
    )
    bot.settle()
    if edit:
        bot.slack.click(
            team_id=TEAM,
            user_id=ALICE,
            action_id=ActionId.PROBLEM_ADD_DETAILS,
            value="1",
            channel_id=CHANNEL,
        )
        bot.settle()
    answer = bot.slack.submit_view(user_id=ALICE, values=form(), double=True)
    bot.settle()

    assert {d.status for d in [answer, *answer.others]} == {200}
    [problem] = stored(bot.runtime.db)
    assert problem.title == "Search ranking ignores recency"
    assert len(posted(bot.slack, CHANNEL)) == 1
    ledger.record(
        area="redelivery",
        fault=f"view submission sent twice at once ({'edit' if edit else 'new problem'})",
        tries=2,
        outcome="one problem, one card",
    )


def test_slow_slack_never_delays_an_ack(emulator, database_url, monkeypatch):
    """views.open and chat.postMessage answer after 5 s; 25 requests at once still ack in 3."""
    made = make_bot(emulator, database_url, production_executor=True)
    # Slack gives up on the app after 3 seconds: so does the emulator here.
    monkeypatch.setattr(sandbox.delivery, "TIMEOUT", SLACK_DEADLINE)
    try:
        emulator.inject("chat.postMessage", delay=5, times=20)
        emulator.inject("views.open", delay=5, times=5)

        def send(i: int):
            return emulator.slash_command(
                team_id=TEAM,
                user_id=ALICE,
                channel_id=CHANNEL,
                command="/problem",
                text="" if i < 5 else f"Slow Slack {i}",
            )

        with ThreadPoolExecutor(max_workers=25) as pool:
            answers = list(pool.map(send, range(25)))

        assert [a.status for a in answers] == [200] * 25
        assert sum("Captured" in rendered(a.body) for a in answers) == 20
        emulator.wait_for(lambda: len(emulator.calls("chat.postMessage")) >= 20, timeout=30)
        emulator.wait_for(lambda: len(emulator.calls("views.open")) >= 5, timeout=30)
        made.runtime.db.dispose()
        assert len(stored(made.runtime.db)) == 20
    finally:
        stop_bot(made)
    ledger.record(
        area="slow Slack",
        fault="views.open and chat.postMessage answer after 5 s, 25 requests at once",
        tries=25,
        outcome="every ack inside Slack's 3 s; all 20 problems stored and carded",
    )


def test_a_slow_users_info_never_delays_an_ack(bot, monkeypatch):
    """Who may delete is asked of Slack (users.info) before the ack: when Slack takes 5 s,
    the author still gets an answer inside 3 s and deletes their own problem."""
    monkeypatch.setattr(sandbox.delivery, "TIMEOUT", SLACK_DEADLINE)
    bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/problem", text="Stale labels"
    )
    bot.settle()
    bot.slack.inject("users.info", delay=5, times=3)

    answer = bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/problem", text="delete P-1"
    )
    bot.settle()

    assert answer.status == 200
    assert any("Deleted P-1" in rendered(r.body) for r in bot.slack.responses)
    [problem] = stored(bot.runtime.db)
    assert problem.deleted_at is not None
    ledger.record(
        area="slow Slack",
        fault="users.info (who is an admin) answers after 5 s, before an ack that needs it",
        tries=1,
        outcome="answered inside Slack's 3 s, counted as no admin; the author's delete is done",
    )
