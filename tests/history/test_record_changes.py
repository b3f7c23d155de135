"""Editing and deleting records: who may, every version kept, deletions undone, ids never reused."""

from __future__ import annotations

import pytest

from storage.experiments import Outcome
from tests.conftest import ALICE, BOB, CAROL, CHANNEL, OTHER_TEAM, TEAM
from tests.support.delivery import (
    analyses,
    buttons,
    command,
    edit_details,
    experiments,
    form,
    frame,
    log,
    problems,
    text,
    versions,
)
from tests.support.slack import rendered

DAN = "U0DAN"  # a member who neither wrote the record nor owns its problem, and no admin


@pytest.fixture
def logged(bot):
    """P-1 framed by Alice and owned by Bob; E-1 logged by Alice (0.75, improved)."""
    bot.slack.add_user(team_id=TEAM, user_id=DAN, name="dan")
    bot.slack.add_channel(team_id=TEAM, channel_id="C0DAN", name="dan", members=[DAN, ALICE])
    frame(bot, owner=BOB)
    log(bot, "P-1 0.75 hard negatives")
    return bot


def edit_form(**overrides):
    fields = {
        "value": text("0.82"),
        "approach": text("hard negatives, top-50"),
        "notes": text("rerun with the fixed split"),
    }
    return form(**(fields | overrides))


def test_someone_else_is_refused_clearly_and_nothing_changes(logged):
    bot = logged
    for typed in ("edit E-1", "delete E-1"):
        answer = command(bot, "/experiment", typed, user=DAN, channel="C0DAN")
        assert "You can't" in rendered(answer.body)
        assert "only its author, the owner of its problem or a workspace admin" in rendered(
            answer.body
        )
    refused_problem = command(bot, "/problem", "delete P-1", user=DAN, channel="C0DAN")
    refused_edit = command(bot, "/problem", "edit P-1", user=DAN, channel="C0DAN")

    assert "You can't delete P-1" in rendered(refused_problem.body)
    assert "You can't edit P-1" in rendered(refused_edit.body)
    assert all(v.view["callback_id"] != "experiment_modal" for v in bot.slack.views(user_id=DAN))
    assert experiments(bot)[0].deleted_at is None and problems(bot)[0].deleted_at is None
    assert versions(bot, "experiment") == []


def test_the_edit_button_refuses_someone_else_and_tells_them_why(logged):
    bot = logged
    shown = command(bot, "/experiment", "show E-1", user=DAN, channel="C0DAN")
    button = buttons(shown.body["blocks"])["experiment_edit"]
    bot.slack.click(team_id=TEAM, user_id=DAN, action_id=button["action_id"], value=button["value"])
    bot.settle()

    assert [v for v in bot.slack.views(user_id=DAN)] == []
    [dm] = bot.slack.messages(DAN)
    assert "You can't edit E-1" in dm.text


@pytest.mark.parametrize("who", [ALICE, BOB, CAROL], ids=["author", "problem-owner", "admin"])
def test_the_author_the_problem_owner_and_an_admin_may_edit(logged, who):
    bot = logged
    command(bot, "/experiment", "edit E-1", user=who)
    view = bot.slack.open_view(who)
    assert view.view["callback_id"] == "experiment_modal"
    value = next(b for b in view.view["blocks"] if b.get("block_id") == "value")
    assert value["element"]["initial_value"] == "0.75"

    bot.slack.submit_view(user_id=who, values=edit_form())
    bot.settle()

    [stored] = experiments(bot)
    assert (stored.value, stored.outcome) == (0.82, Outcome.MET_TARGET)
    [version] = versions(bot, "experiment")
    assert (version.action, version.changed_by) == ("edit", who)
    assert version.changes["value"] == {"old": 0.75, "new": 0.82}
    assert version.changes["outcome"] == {"old": "improved", "new": "met_target"}
    assert version.changes["notes"] == {
        "old": "hard negatives",
        "new": "rerun with the fixed split",
    }
    message = next(m for m in bot.slack.messages(CHANNEL) if m.ts == stored.message_ts)
    assert "Met target" in rendered(message.blocks) and message.edited


def test_history_shows_who_changed_what_and_an_unchanged_save_adds_nothing(logged):
    bot = logged
    command(bot, "/experiment", "edit E-1")
    bot.slack.submit_view(user_id=ALICE, values=edit_form())
    command(bot, "/experiment", "edit E-1")
    bot.slack.submit_view(user_id=ALICE, values=edit_form())  # the same values again
    bot.settle()

    assert len(versions(bot, "experiment")) == 1
    shown = rendered(command(bot, "/experiment", "history E-1").body)
    assert f"edited by <@{ALICE}>" in shown
    assert "value: “0.75” → “0.82”" in shown
    assert "has not been edited" in rendered(command(bot, "/problem", "history P-1").body)


def test_editing_a_problem_is_refused_to_others_and_versioned_for_its_owner(logged):
    bot = logged
    card = problems(bot)[0].card_ts
    bot.slack.click(
        team_id=TEAM, user_id=DAN, action_id="problem_add_details", value="1", channel_id="C0DAN"
    )
    bot.settle()
    assert bot.slack.views(user_id=DAN) == []

    bot.slack.click(
        team_id=TEAM,
        user_id=BOB,
        action_id="problem_add_details",
        value="1",
        channel_id=CHANNEL,
        message_ts=card,
    )
    bot.settle()
    bot.slack.submit_view(
        user_id=BOB,
        values=form(
            title=text("Recall on rare classes (v2)"), baseline=text("0.72"), target=text("0.8")
        ),
    )
    bot.settle()

    [version] = versions(bot, "problem")
    assert version.changed_by == BOB
    assert version.changes["title"] == {
        "old": "Recall on rare classes",
        "new": "Recall on rare classes (v2)",
    }
    assert version.changes["baseline"] == {"old": 0.7, "new": 0.72}
    assert "Recall on rare classes (v2)" in rendered(command(bot, "/problem", "history P-1").body)


def test_a_deleted_experiment_disappears_and_undo_brings_it_back(logged):
    bot = logged
    log(bot, "P-1 0.60 worse one")  # E-2 owes an analysis
    answer = command(bot, "/experiment", "delete E-2")
    assert answer.status == 200
    [notice] = [m for m in bot.slack.ephemerals(CHANNEL, ALICE) if m.text == "Deleted E-2."]

    assert experiments(bot)[1].deleted_at is not None
    assert "E-2" not in rendered(command(bot, "/problem", "show P-1").body)
    assert "You owe no error analyses" in rendered(command(bot, "/analysis").body)
    assert "There is no experiment" not in rendered(command(bot, "/experiment", "show E-2").body)
    assert "E-2 was deleted" in rendered(command(bot, "/experiment", "show E-2").body)
    message = next(m for m in bot.slack.messages(CHANNEL) if m.ts == experiments(bot)[1].message_ts)
    assert "E-2 was deleted" in message.text

    undo = buttons(notice.blocks)["experiment_restore"]
    bot.slack.click(
        team_id=TEAM,
        user_id=ALICE,
        action_id=undo["action_id"],
        value=undo["value"],
        channel_id=CHANNEL,
        message_ts=notice.ts,
    )
    bot.settle()

    assert experiments(bot)[1].deleted_at is None
    assert notice.text == "Restored E-2."
    assert "E-2" in rendered(command(bot, "/analysis").body)
    assert "Worse" in rendered(
        next(
            m for m in bot.slack.messages(CHANNEL) if m.ts == experiments(bot)[1].message_ts
        ).blocks
    )
    assert [v.action for v in versions(bot, "experiment")] == ["delete", "restore"]
    # The id of a deleted experiment is never handed out again.
    command(bot, "/experiment", "delete E-2")
    log(bot, "P-1 0.77 another")
    assert [e.number for e in experiments(bot)] == [1, 2, 3]


def test_restore_by_command_and_deleting_twice(logged):
    bot = logged
    command(bot, "/experiment", "delete E-1", user=CAROL)
    again = command(bot, "/experiment", "delete E-1", user=CAROL)
    assert "E-1 is already deleted" in rendered(again.body)

    restored = command(bot, "/experiment", "restore E-1")
    assert "Restored *E-1*" in rendered(restored.body)
    assert experiments(bot)[0].deleted_at is None
    assert [(v.action, v.changed_by) for v in versions(bot, "experiment")] == [
        ("delete", CAROL),
        ("restore", ALICE),
    ]


def test_a_deleted_problem_leaves_lists_and_the_board_and_can_be_restored(logged):
    bot = logged
    command(bot, "/problem", "delete P-1", user=BOB)

    assert "No open problems yet" in rendered(command(bot, "/problem", "list").body)
    assert "P-1 was deleted" in rendered(command(bot, "/problem", "show P-1").body)
    assert "There is no problem P-1" in rendered(log(bot, "P-1 0.9 after").body)
    bot.slack.open_home(team_id=TEAM, user_id=ALICE)
    bot.settle()
    assert "Recall on rare classes" not in rendered(bot.slack.home(team_id=TEAM, user_id=ALICE))

    command(bot, "/problem", "restore P-1", user=BOB)
    assert "Recall on rare classes" in rendered(command(bot, "/problem", "list").body)
    assert command(bot, "/problem", "Another").status == 200
    assert [p.number for p in problems(bot)] == [1, 2]


def test_analyses_are_edited_deleted_and_restored_like_experiments(logged):
    bot = logged
    log(bot, "P-1 0.6 worse")
    command(bot, "/analysis", "E-2")
    bot.slack.submit_view(
        user_id=ALICE, values=form(root_causes=text("noisy labels"), categories=text("noise: 3"))
    )
    bot.settle()
    assert "You can't edit A-1" in rendered(
        command(bot, "/analysis", "edit A-1", user=DAN, channel="C0DAN").body
    )

    command(bot, "/analysis", "edit A-1", user=BOB)
    view = bot.slack.open_view(BOB)
    categories = next(b for b in view.view["blocks"] if b.get("block_id") == "categories")
    assert categories["element"]["initial_value"] == "noise: 3"
    bot.slack.submit_view(
        user_id=BOB,
        values=form(root_causes=text("noisy labels in night shots"), categories=text("noise: 4")),
    )
    bot.settle()

    [version] = versions(bot, "analysis")
    assert version.changes["categories"] == {"old": "noise: 3", "new": "noise: 4"}
    reply = next(m for m in bot.slack.messages(CHANNEL) if m.ts == analyses(bot)[0].message_ts)
    assert "night shots" in rendered(reply.blocks)

    command(bot, "/analysis", "delete A-1")
    assert "E-2" in rendered(command(bot, "/analysis").body)  # owed again
    command(bot, "/analysis", "restore A-1")
    assert "You owe no error analyses" in rendered(command(bot, "/analysis").body)


def test_other_workspaces_cannot_reach_records_to_change_them(logged):
    bot = logged
    for name, typed in (
        ("/experiment", "delete E-1"),
        ("/experiment", "history E-1"),
        ("/problem", "delete P-1"),
        ("/analysis", "delete A-1"),
    ):
        answer = command(bot, name, typed, team=OTHER_TEAM, user="U0MALLORY", channel="C0OTHER")
        assert "There is no" in rendered(answer.body)
    assert experiments(bot)[0].deleted_at is None and problems(bot)[0].deleted_at is None


def test_admin_rights_are_looked_up_once_and_an_outage_grants_nothing(logged):
    bot = logged
    bot.slack.clear_calls()
    command(bot, "/experiment", "history E-1", user=CAROL)
    command(bot, "/experiment", "delete E-1", user=CAROL)
    command(bot, "/experiment", "restore E-1", user=CAROL)
    assert [c.args["user"] for c in bot.slack.calls("users.info")] == [CAROL]

    bot.slack.add_user(team_id=TEAM, user_id="U0ERIN", name="erin", is_admin=True)
    bot.slack.inject("users.info", error="ratelimited", times=5)
    refused = command(bot, "/experiment", "delete E-1", user="U0ERIN")
    assert "You can't delete E-1" in rendered(refused.body)
    assert experiments(bot)[0].deleted_at is None


def test_setting_a_baseline_later_reassesses_the_problems_experiments(bot):
    frame(bot, baseline="", target="0.80")
    log(bot, "P-1 0.72 first try")
    # Nothing to judge it against (no baseline, no earlier result, the target not met).
    assert experiments(bot)[0].outcome == Outcome.UNJUDGED
    assert "You owe no error analyses" in rendered(command(bot, "/analysis").body)

    edit_details(
        bot, title=text("Recall on rare classes"), baseline=text("0.70"), target=text("0.8")
    )

    assert experiments(bot)[0].outcome == Outcome.IMPROVED
    shown = rendered(
        next(m for m in bot.slack.messages(CHANNEL) if m.text.startswith("E-1")).blocks
    )
    assert "better than baseline 0.7 (+0.02, noise unknown)" in shown


def test_the_undo_button_restores_a_deleted_problem_and_a_second_click_changes_nothing(logged):
    bot = logged
    command(bot, "/problem", "delete P-1")
    [notice] = [m for m in bot.slack.ephemerals(CHANNEL, ALICE) if m.text == "Deleted P-1."]
    undo = buttons(notice.blocks)["problem_restore"]
    for _ in range(2):
        bot.slack.click(
            team_id=TEAM,
            user_id=ALICE,
            action_id=undo["action_id"],
            value=undo["value"],
            channel_id=CHANNEL,
            message_ts=notice.ts,
        )
        bot.settle()

    assert problems(bot)[0].deleted_at is None
    assert notice.text == "Restored P-1."
    assert [v.action for v in versions(bot, "problem")] == ["delete", "restore"]
