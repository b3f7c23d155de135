"""`/problem list`, `show`, `help`, malformed input, App Home and workspace isolation."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import text

from bot.problems import lists
from bot.problems import service as problems
from bot.problems.draft import ProblemDraft
from tests.conftest import ALICE, BOB, CHANNEL, OTHER_TEAM, TEAM
from tests.support.slack import rendered


def problem(bot, text: str, *, team: str = TEAM, user: str = ALICE, channel: str = CHANNEL):
    answer = bot.slack.slash_command(
        team_id=team, user_id=user, channel_id=channel, command="/problem", text=text
    )
    bot.settle()
    assert answer.status == 200
    return answer.body


def test_list_shows_open_problems_and_mine_shows_only_the_callers(bot):
    problem(bot, "Alice's problem")
    problem(bot, "Bob's problem", user=BOB)

    everyone = rendered(problem(bot, "list"))
    mine = rendered(problem(bot, "list mine", user=BOB))

    assert "Alice's problem" in everyone and "Bob's problem" in everyone
    assert "Bob's problem" in mine and "Alice's problem" not in mine


def seed(bot, count: int) -> None:
    with bot.runtime.db.transaction() as session:
        for n in range(count):
            problems.create(
                session,
                team_id=TEAM,
                user_id=ALICE,
                channel_id=CHANNEL,
                draft=ProblemDraft(title=f"Seeded {n + 1}"),
            )


def test_a_long_list_shows_the_newest_and_says_how_many_there_are(bot):
    seed(bot, 27)

    listed = rendered(problem(bot, "list all"))

    assert "All problems* (27)" in listed
    shown = set(re.findall(r"Seeded (\d+)", listed))
    assert shown == {str(n) for n in range(3, 28)}
    assert "Showing the newest 25 of 27" in listed


def test_past_the_count_limit_the_list_says_so_instead_of_counting_on(bot, monkeypatch):
    monkeypatch.setattr(lists, "COUNT_LIMIT", 30)
    seed(bot, 32)

    listed = rendered(problem(bot, "list all"))

    assert "All problems* (30+)" in listed
    assert "Showing the newest 25 of 30+" in listed
    assert "Seeded 32" in listed


def test_list_on_an_empty_workspace_says_how_to_start(bot):
    assert "No problems yet. Frame one with `/problem`" in rendered(problem(bot, "list all"))


def test_show_gives_every_recorded_field(bot):
    problem(bot, "Cold start")
    shown = rendered(problem(bot, "show P-1"))

    assert "P-1 · Cold start" in shown and "open" in shown


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("show P-99", "There is no problem P-99"),
        ("show E-3", "is not an id like P-12"),
        ("show", "Say which problem to show"),
        ("list everything", "takes open, mine or all"),
    ],
)
def test_malformed_input_says_what_was_wrong_and_stores_nothing(bot, text, says):
    body = problem(bot, text)

    assert body["response_type"] == "ephemeral"
    assert says in rendered(body)
    assert bot.slack.calls("chat.postMessage") == []


def test_help_lists_every_form(bot):
    body = problem(bot, "help")
    for form in ("/problem list", "/problem show P-12", "/problem help"):
        assert form in body["text"]


def test_another_workspace_sees_nothing_and_cannot_reach_by_id(bot):
    problem(bot, "Secret roadmap item")

    listed = rendered(
        problem(bot, "list all", team=OTHER_TEAM, user="U0MALLORY", channel="C0OTHER")
    )
    shown = rendered(problem(bot, "show P-1", team=OTHER_TEAM, user="U0MALLORY", channel="C0OTHER"))
    bot.slack.click(
        team_id=OTHER_TEAM,
        user_id="U0MALLORY",
        action_id="problem_add_details",
        value="1",
        channel_id="C0OTHER",
    )
    bot.settle()

    assert "Secret roadmap item" not in listed
    assert "There is no problem P-1" in shown
    assert bot.slack.calls("views.open") == []


def test_app_home_lists_open_problems_by_track(bot):
    problem(bot, "Framing one")
    bot.slack.open_home(team_id=TEAM, user_id=BOB)
    bot.settle()

    home = bot.slack.home(team_id=TEAM, user_id=BOB)
    shown = rendered(home)
    assert "Discovery (1)" in shown and "Delivery (0)" in shown
    assert "Framing one" in shown


def test_list_show_history_and_search_answer_while_a_long_write_holds_the_database(bot):
    problem(bot, "Churn model misses new users")
    holding, release = threading.Event(), threading.Event()

    def long_write() -> None:  # e.g. a digest being stored: it has the writer until released
        with bot.runtime.db.transaction() as session:
            session.execute(text("UPDATE problems SET title = title"))
            holding.set()
            release.wait(10)

    writer = threading.Thread(target=long_write)
    writer.start()
    try:
        assert holding.wait(5)
        listed = rendered(problem(bot, "list"))
        shown = rendered(problem(bot, "show P-1"))
        history = rendered(problem(bot, "history P-1"))
        found = bot.slack.slash_command(
            team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/ritual", text="search churn"
        )
    finally:
        release.set()
        writer.join(10)

    assert "Churn model misses new users" in listed
    assert "Churn model misses new users" in shown and "P-1" in history
    assert "P-1" in rendered(found.body)
