"""The experiment form's problem menu works at any size: the app lists what is typed."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from bot.experiments.choices import ProblemChoice
from bot.experiments.modals import experiment_modal
from bot.problems import service as problem_service
from bot.problems.draft import ProblemDraft
from sandbox import modals
from sandbox.blockkit import check_options
from tests.conftest import ALICE, CHANNEL, OTHER_TEAM, TEAM
from tests.support.delivery import (
    command,
    decisions,
    experiments,
    form,
    picked,
    problems,
    text,
)
from tests.support.slack import rendered

MALLORY, OTHER_CHANNEL = "U0MALLORY", "C0OTHER"
LONG_TITLE = "Latency of the ranking service at p95 " * 3


def capture(bot, titles: list[str], *, team: str = TEAM, user: str = ALICE) -> None:
    """Problems as `/problem <title>` stores them, all in one transaction for speed."""
    with bot.runtime.db.transaction() as session:
        for title in titles:
            problem_service.create(
                session,
                team_id=team,
                user_id=user,
                channel_id=None,
                draft=ProblemDraft(title=title),
            )


@pytest.fixture
def crowded(bot):
    """150 open problems here, the oldest being P-1; three in another workspace."""
    capture(
        bot,
        ["Recall on rare classes", *(f"Churn note {n}" for n in range(2, 150)), LONG_TITLE],
    )
    capture(bot, ["Recall at Other Co", "Precision", "Drift"], team=OTHER_TEAM, user=MALLORY)
    return bot


def open_form_elsewhere(bot) -> None:
    """Mallory's experiment form, open in her workspace as the app builds it. (This app holds
    one workspace's token, so it cannot open views in another; an OAuth install would.)"""
    spec = experiment_modal(
        choice=ProblemChoice(any_open=True, chosen=None), channel_id=OTHER_CHANNEL
    )
    with bot.slack.world.lock:
        workspace = bot.slack.workspace(OTHER_TEAM)
        modals.open_modal(world=bot.slack.world, workspace=workspace, user_id=MALLORY, spec=spec)


def problem_menu(bot, user: str = ALICE) -> dict[str, Any]:
    view = bot.slack.open_view(user)
    assert view is not None, "the form did not open"
    return next(b for b in view.view["blocks"] if b["block_id"] == "problem")["element"]


def listed(bot, typed: str, *, user: str = ALICE) -> list[dict[str, Any]]:
    """What the menu lists once `typed` is in it: the app's answer, as Slack would take it."""
    answer = bot.slack.suggest(
        user_id=user, action_id=problem_menu(bot, user)["action_id"], value=typed
    )
    assert answer is not None and answer.status == 200
    return check_options(answer.body)["options"]


def values(options: list[dict[str, Any]]) -> list[str]:
    return [o["value"] for o in options]


def texts(options: list[dict[str, Any]]) -> list[str]:
    return [o["text"]["text"] for o in options]


def test_the_oldest_of_150_problems_is_preselected_found_by_typing_and_logged(crowded):
    bot = crowded
    answer = command(bot, "/experiment", "P-1")

    assert answer.status == 200 and not answer.body
    menu = problem_menu(bot)
    assert menu["type"] == "external_select" and menu["min_query_length"] == 0
    assert menu["initial_option"]["value"] == "1"
    assert menu["initial_option"]["text"]["text"] == "P-1 Recall on rare classes"
    newest = listed(bot, "")
    assert values(newest) == [str(n) for n in range(150, 50, -1)]
    assert newest[0]["text"]["text"] == f"P-150 {LONG_TITLE}"[:75]
    assert values(listed(bot, "P-1"))[0] == "1"
    assert values(listed(bot, "12"))[0] == "12"
    assert texts(listed(bot, "recall")) == ["P-1 Recall on rare classes"]
    assert values(listed(bot, "RARE recall")) == ["1"]
    assert values(listed(bot, "note 99")) == ["99"]
    assert listed(bot, "100%") == [] and listed(bot, "P-151") == []

    [found] = listed(bot, "rare")
    bot.slack.submit_view(user_id=ALICE, values=form(problem=picked(found), value=text("0.81")))
    bot.settle()

    assert bot.slack.open_view(ALICE) is None
    [stored] = experiments(bot)
    assert stored.problem_id == problems(bot)[0].id and stored.value == 0.81
    assert "*E-1* on *P-1 · Recall on rare classes*" in rendered(
        [m.blocks for m in bot.slack.messages(CHANNEL)]
    )


def test_the_menu_lists_only_the_asking_workspaces_open_problems(crowded):
    bot = crowded
    command(bot, "/problem", "decide P-2 ship good enough on the holdout metric=recall value=0.8")
    command(bot, "/experiment")

    after_shipping = values(listed(bot, "note 2"))
    assert "2" not in after_shipping and "20" in after_shipping and listed(bot, "P-2") == []
    assert listed(bot, "precision") == [] and listed(bot, "drift") == []

    open_form_elsewhere(bot)
    assert texts(listed(bot, "", user=MALLORY)) == [
        "P-3 Drift",
        "P-2 Precision",
        "P-1 Recall at Other Co",
    ]
    assert texts(listed(bot, "recall", user=MALLORY)) == ["P-1 Recall at Other Co"]
    assert listed(bot, "churn", user=MALLORY) == [] and listed(bot, "P-150", user=MALLORY) == []


def test_a_menu_asked_while_the_database_is_down_lists_nothing_and_sends_nothing(crowded):
    bot = crowded
    command(bot, "/experiment")
    menu = problem_menu(bot)

    def unreachable(*_args) -> None:
        raise OperationalError("SELECT", {}, ConnectionRefusedError("database unreachable"))

    event.listen(bot.runtime.db.engine, "before_cursor_execute", unreachable)
    try:
        answer = bot.slack.suggest(user_id=ALICE, action_id=menu["action_id"], value="rare")
    finally:
        event.remove(bot.runtime.db.engine, "before_cursor_execute", unreachable)
    bot.settle()

    assert answer is not None and answer.status == 200
    assert check_options(answer.body)["options"] == []
    assert bot.slack.messages(ALICE) == [], "a DM about a keystroke"
    assert values(listed(bot, "rare")) == ["1"]


@pytest.mark.parametrize(
    "user, value, says",
    [
        pytest.param(
            MALLORY,
            "150",
            "P-150 is not an open problem in this workspace. "
            "`/problem list` shows the open ones and their ids.",
            id="another-workspaces",
        ),
        pytest.param(
            ALICE,
            "2",
            "P-2 was shipped on {shipped}. Experiments go on open problems; "
            "to reopen it: `/problem reopen P-2 <why>`.",
            id="closed",
        ),
    ],
)
def test_a_forged_problem_value_is_refused_on_the_field(crowded, user, value, says):
    bot = crowded
    command(bot, "/problem", "decide P-2 ship good enough on the holdout metric=recall value=0.8")
    if user == MALLORY:
        open_form_elsewhere(bot)
    else:
        command(bot, "/experiment")

    answer = bot.slack.submit_view(
        user_id=user, values=form(problem=picked(value), value=text("0.9"))
    )

    assert answer.body["response_action"] == "errors"
    shipped = f"{decisions(bot)[0].decided_at:%Y-%m-%d} UTC"  # a field's error: plain text
    assert answer.body["errors"] == {"problem": says.format(shipped=shipped)}
    assert bot.slack.open_view(user) is not None
    assert experiments(bot) == [] and experiments(bot, OTHER_TEAM) == []
