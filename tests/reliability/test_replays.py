"""A change sent again (Slack's redelivery, or a captured request replayed inside the five
minutes its signature is good for) has no second effect, even after a later change undid
the first one, and the answer says so."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from bot.ids import ActionId
from storage.problems import Decision
from tests.conftest import ALICE, CHANNEL, TEAM
from tests.reliability.test_attacks_every_path import analysis_values
from tests.support import ledger
from tests.support.delivery import (
    analyses,
    buttons,
    choice,
    command,
    experiments,
    form,
    frame,
    log,
    person,
    problems,
    text,
    versions,
)
from tests.support.slack import posted, rendered

SAID_AGAIN = "was already done"


def replay(bot, delivery):
    again = bot.slack.redeliver(delivery)
    bot.settle()
    return again


def at_once(bot, typed: str, *, times: int) -> list:
    """`/problem <typed>` sent `times` at the same moment, each with its own trigger."""
    with ThreadPoolExecutor(max_workers=times) as pool:
        answers = list(
            pool.map(
                lambda _: bot.slack.slash_command(
                    team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/problem", text=typed
                ),
                range(times),
            )
        )
    bot.settle()
    return answers


def told_nothing_changed(delivery) -> bool:
    said = rendered(delivery.body)
    return SAID_AGAIN in said and "nothing changed" in said


def test_a_delete_replayed_after_a_restore_leaves_the_problem_restored(bot):
    number = frame(bot)
    delete = command(bot, "/problem", f"delete P-{number}")
    command(bot, "/problem", f"restore P-{number}")

    again = replay(bot, delete)

    assert again.status == 200
    assert problems(bot)[0].deleted_at is None
    assert told_nothing_changed(again)
    assert "`/problem delete P-1`" in rendered(again.body)
    ledger.record(
        area="replay",
        fault="signed `/problem delete P-1` replayed after `/problem restore P-1`",
        tries=1,
        outcome="P-1 stays restored; the replay is told it was already done, nothing changed",
    )


def test_a_restore_replayed_after_a_second_delete_leaves_the_problem_deleted(bot):
    number = frame(bot)
    command(bot, "/problem", f"delete P-{number}")
    restore = command(bot, "/problem", f"restore P-{number}")
    command(bot, "/problem", f"delete P-{number}")

    again = replay(bot, restore)

    assert problems(bot)[0].deleted_at is not None
    assert told_nothing_changed(again)


def edit_problem(bot, number: int, title: str):
    command(bot, "/problem", f"edit P-{number}")
    submitted = bot.slack.submit_view(
        user_id=ALICE,
        values=form(
            title=text(title),
            metric_name=text("recall"),
            direction=choice("higher"),
            baseline=text("0.70"),
            target=text("0.80"),
            owner_id=person(ALICE),
            track=choice("delivery"),
        ),
    )
    bot.settle()
    return submitted


def test_an_edit_form_replayed_after_a_later_edit_keeps_the_later_edit(bot):
    number = frame(bot)
    first = edit_problem(bot, number, "Recall on rare classes, first edit")
    edit_problem(bot, number, "Recall on rare classes, second edit")

    again = replay(bot, first)

    assert again.status == 200
    assert problems(bot)[0].title == "Recall on rare classes, second edit"
    assert told_nothing_changed(again)
    ledger.record(
        area="replay",
        fault="problem edit form submission replayed after a later edit",
        tries=1,
        outcome="the later edit stays; the replay is told nothing changed",
    )


def test_a_replayed_decision_is_recorded_and_posted_once_and_says_so(bot):
    number = frame(bot)
    decide = command(bot, "/problem", f"decide P-{number} pivot recall plateaued")
    posts = len(posted(bot.slack, CHANNEL))

    again = replay(bot, decide)

    with bot.runtime.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Decision)) == 1
    assert len(posted(bot.slack, CHANNEL)) == posts
    assert told_nothing_changed(again)
    assert "Recorded" not in rendered(again.body)


def test_an_experiment_delete_replayed_after_a_restore_leaves_it_restored(bot):
    frame(bot)
    log(bot, "P-1 0.65 label smoothing")
    delete = command(bot, "/experiment", "delete E-1")
    command(bot, "/experiment", "restore E-1")

    again = replay(bot, delete)

    assert experiments(bot)[0].deleted_at is None
    assert told_nothing_changed(again)
    ledger.record(
        area="replay",
        fault="signed `/experiment delete E-1` replayed after its restore",
        tries=1,
        outcome="E-1 stays restored; the replay is told nothing changed",
    )


def test_an_analysis_undo_click_replayed_after_a_second_delete_leaves_it_deleted(bot):
    frame(bot)
    log(bot, "P-1 0.61 worse")
    command(bot, "/analysis", "E-1")
    bot.slack.submit_view(user_id=ALICE, values=analysis_values())
    bot.settle()
    command(bot, "/analysis", "delete A-1")
    notice = next(
        m
        for m in reversed(bot.slack.ephemerals(CHANNEL, ALICE))
        if ActionId.ANALYSIS_RESTORE in buttons(m.blocks)
    )
    undo = bot.slack.click(
        team_id=TEAM,
        user_id=ALICE,
        action_id=ActionId.ANALYSIS_RESTORE,
        value="1",
        channel_id=CHANNEL,
        message_ts=notice.ts,
    )
    bot.settle()
    assert analyses(bot)[0].deleted_at is None
    command(bot, "/analysis", "delete A-1")

    replay(bot, undo)

    assert analyses(bot)[0].deleted_at is not None
    told = [r.body for r in bot.slack.responses][-1]
    assert SAID_AGAIN in rendered(told) and "nothing changed" in rendered(told)
    ledger.record(
        area="replay",
        fault="the Undo button of an analysis deletion replayed after a second delete",
        tries=1,
        outcome="A-1 stays deleted; the clicker is told nothing changed",
    )


def test_eight_deletes_of_one_problem_at_once_delete_it_once_and_each_hears_the_truth(bot):
    number = frame(bot)
    posts = len(bot.slack.responses)
    answers = at_once(bot, f"delete P-{number}", times=8)

    said = [rendered(a.body) for a in answers] + [
        rendered(r.body) for r in bot.slack.responses[posts:]
    ]
    assert len([s for s in said if "Deleted P-1" in s]) == 1
    assert len([s for s in said if "P-1 is already deleted" in s]) == 7
    assert [v.action for v in versions(bot, "problem")].count("delete") == 1
    ledger.record(
        area="concurrency",
        fault="`/problem delete P-1` ×8 at once (distinct triggers)",
        tries=8,
        outcome="one deletion and one version; seven told it is already deleted",
    )


def test_four_ship_decisions_at_once_ship_the_problem_once(bot):
    number = frame(bot)
    answers = at_once(bot, f"decide P-{number} ship recall is at target", times=4)

    said = [rendered(a.body) for a in answers]
    with bot.runtime.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Decision)) == 1
    assert len([s for s in said if "Recorded" in s]) == 1
    assert len([s for s in said if "P-1 is already shipped" in s]) == 3
    ledger.record(
        area="concurrency",
        fault="`/problem decide P-1 ship` ×4 at once (distinct triggers)",
        tries=4,
        outcome="one decision; three told P-1 is already shipped",
    )
