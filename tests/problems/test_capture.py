"""`/problem <title>`: one-line capture, the channel card, and what goes wrong."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from storage.problems import Problem
from tests.conftest import ALICE, CHANNEL, OTHER_TEAM, QUIET_CHANNEL, TEAM
from tests.support.slack import posted, rendered


def problems_in(bot, team: str = TEAM) -> list[Problem]:
    with bot.runtime.db.transaction() as session:
        return list(
            session.scalars(select(Problem).where(Problem.team_id == team).order_by(Problem.number))
        )


def capture(bot, text: str, *, team: str = TEAM, user: str = ALICE, channel: str = CHANNEL):
    answer = bot.slack.slash_command(
        team_id=team, user_id=user, channel_id=channel, command="/problem", text=text
    )
    bot.settle()
    return answer


def test_quick_capture_stores_the_problem_and_posts_its_card(bot):
    answer = capture(bot, "Churn model misses new users")

    assert answer.status == 200
    assert answer.body["response_type"] == "ephemeral"
    assert "P-1" in rendered(answer.body)
    button = answer.body["blocks"][1]["elements"][0]
    assert button["text"]["text"] == "Add details" and button["value"] == "1"
    [stored] = problems_in(bot)
    assert (stored.title, stored.owner_id, stored.created_by) == (
        "Churn model misses new users",
        ALICE,
        ALICE,
    )
    [card] = posted(bot.slack, CHANNEL)
    assert "P-1 · Churn model misses new users" in rendered(card.args["blocks"])
    assert stored.card_channel == CHANNEL and stored.card_ts == card.response["ts"]


def test_ids_count_up_per_workspace(bot):
    capture(bot, "First")
    capture(bot, "Second")
    capture(bot, "Elsewhere", team=OTHER_TEAM, user="U0MALLORY", channel="C0OTHER")

    assert [p.number for p in problems_in(bot)] == [1, 2]
    assert [p.number for p in problems_in(bot, OTHER_TEAM)] == [1]


def test_a_title_over_the_limit_is_refused_and_nothing_is_stored(bot):
    answer = capture(bot, "x" * 151)

    assert answer.status == 200
    assert "under 150 characters" in rendered(answer.body)
    assert problems_in(bot) == []
    assert posted(bot.slack, CHANNEL) == []


def test_a_channel_the_bot_is_not_in_keeps_the_problem_and_says_how_to_fix_it(bot):
    capture(bot, "Label noise in the eval set", channel=QUIET_CHANNEL)

    [stored] = problems_in(bot)
    assert stored.card_ts is None
    [reply] = [r for r in bot.slack.responses if "couldn't post its card" in rendered(r.body)]
    assert "/invite @ritualbot" in reply.body["text"]


def test_mentions_typed_by_a_user_are_stored_intact_and_never_ping(bot):
    title = "<!channel> <!here> <!everyone> <@U123> &<> look"
    capture(bot, title)

    [stored] = problems_in(bot)
    assert stored.title == title
    sent = rendered([c.args for c in bot.slack.calls("chat.postMessage")])
    for ping in ("<!channel>", "<!here>", "<!everyone>", "<@U123>"):
        assert ping not in sent
    assert "&lt;!channel&gt;" in sent and "&amp;&lt;&gt;" in sent


def test_a_retried_slash_command_stores_one_problem(bot):
    first = bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/problem", text="Drift in prod"
    )
    again = bot.slack.redeliver(first, retry_num=1)
    bot.settle()

    assert first.status == again.status == 200
    assert "Already captured *P-1" in rendered(again.body)
    assert len(problems_in(bot)) == 1
    assert len(posted(bot.slack, CHANNEL)) == 1


@pytest.mark.parametrize(
    "forgery",
    [{"signed": False}, {"secret": "another-apps-secret"}, {"age": 6 * 60}, {"age": -6 * 60}],
    ids=["missing", "other-secret", "stale", "from-the-future"],
)
def test_requests_not_signed_by_slack_are_refused_and_store_nothing(bot, forgery):
    if "age" in forgery:
        forgery = {"timestamp": int(time.time()) - forgery["age"]}
    answer = bot.slack.slash_command(
        team_id=TEAM,
        user_id=ALICE,
        channel_id=CHANNEL,
        command="/problem",
        text="Sneaky",
        **forgery,
    )
    bot.settle()

    assert answer.status == 401
    assert problems_in(bot) == []
    assert bot.slack.calls("chat.postMessage") == []


def test_health_check_answers_ok(bot):
    import httpx

    answer = httpx.get(f"{bot.url}/healthz")
    assert answer.status_code == 200 and answer.json() == {"ok": True}


def test_the_count_of_problems_is_unchanged_by_a_refused_capture(bot):
    capture(bot, "Real one")
    capture(bot, "   ")  # whitespace only opens the form instead

    with bot.runtime.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Problem)) == 1
    assert bot.slack.calls("views.open")
