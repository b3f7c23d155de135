"""`/analysis` and the "Start error analysis" button: the form, the thread post, the debt."""

from __future__ import annotations

from tests.conftest import ALICE, BOB, CHANNEL, OTHER_TEAM, TEAM
from tests.support.delivery import (
    analyses,
    buttons,
    command,
    experiments,
    form,
    frame,
    log,
    person,
    text,
)
from tests.support.slack import rendered


def failed_experiment(bot) -> str:
    """Frame P-1 and log a result below its baseline; the confirmation's ts."""
    frame(bot)
    log(bot, "P-1 0.62 label smoothing")
    return experiments(bot)[0].message_ts


def analysis_form(**overrides):
    fields = {
        "sample_size": text("200"),
        "sample_method": text("Random 200 false negatives from eval-2026-10"),
        "categories": text("blurry images: 30\nwrong label: 10"),
        "slices": text("night-time photos, small objects"),
        "root_causes": text("Augmentation washes out small objects"),
        "next_steps": text("Try crop-aware augmentation"),
        "lessons": text("Look at the data before tuning"),
        "follow_up_0": text("Relabel the 10 wrong labels"),
        "owner_0": person(BOB),
        "follow_up_1": text("Write the augmentation ablation"),
        "owner_1": person(None),
    }
    return form(**(fields | overrides))


def test_the_button_opens_the_form_and_the_analysis_is_posted_in_the_experiments_thread(bot):
    ts = failed_experiment(bot)
    button = buttons(bot.slack.thread(CHANNEL, ts)[0].blocks)["analysis_start"]
    bot.slack.click(
        team_id=TEAM,
        user_id=BOB,
        action_id=button["action_id"],
        value=button["value"],
        channel_id=CHANNEL,
        message_ts=ts,
    )
    bot.settle()
    view = bot.slack.open_view(BOB)
    assert view.view["callback_id"] == "analysis_modal"
    assert "E-1" in rendered(view.view["blocks"])

    answer = bot.slack.submit_view(user_id=BOB, values=analysis_form())
    bot.settle()

    assert answer.status == 200
    [stored] = analyses(bot)
    assert (stored.number, stored.author_id, stored.sample_size) == (1, BOB, 200)
    assert [(c.name, c.count) for c in stored.categories] == [
        ("blurry images", 30),
        ("wrong label", 10),
    ]
    assert [(f.text, f.owner_id) for f in stored.follow_ups] == [
        ("Relabel the 10 wrong labels", BOB),
        ("Write the augmentation ablation", None),
    ]
    parent, reply = bot.slack.thread(CHANNEL, ts)
    assert reply.thread_ts == ts and stored.message_ts == reply.ts
    shown = rendered(reply.blocks)
    assert "blurry images: 30 (75%)" in shown and "wrong label: 10 (25%)" in shown
    assert "200 examples" in shown and f"<@{BOB}>" in shown
    # The experiment no longer owes an analysis: its button gives way to a pointer to A-1.
    assert "analysis_start" not in buttons(parent.blocks)
    assert "A-1 (in the thread)" in rendered(parent.blocks)
    assert "You owe no error analyses" in rendered(command(bot, "/analysis").body)


def test_the_command_opens_the_form_for_an_experiment(bot):
    failed_experiment(bot)
    command(bot, "/analysis", "E-1")

    assert bot.slack.open_view(ALICE).view["callback_id"] == "analysis_modal"


def test_an_analysis_of_an_experiment_that_does_not_exist_is_refused(bot):
    failed_experiment(bot)
    missing = command(bot, "/analysis", "E-99")
    elsewhere = command(
        bot, "/analysis", "E-1", team=OTHER_TEAM, user="U0MALLORY", channel="C0OTHER"
    )
    wrong_kind = command(bot, "/analysis", "P-1")

    assert "There is no experiment E-99" in rendered(missing.body)
    assert "There is no experiment E-1" in rendered(elsewhere.body)
    assert "is not an id like E-34" in rendered(wrong_kind.body)
    assert all(v.view["callback_id"] != "analysis_modal" for v in bot.slack.views())
    assert analyses(bot) == []


def test_bad_categories_and_counts_come_back_inline_with_what_to_type(bot):
    failed_experiment(bot)
    command(bot, "/analysis", "E-1")
    answer = bot.slack.submit_view(
        user_id=ALICE,
        values=analysis_form(
            sample_size=text("lots"),
            categories=text("blurry images: 30\nwrong label ten"),
            follow_up_1=text(""),
            owner_1=person(BOB),
        ),
    )

    assert answer.body["response_action"] == "errors"
    errors = answer.body["errors"]
    assert set(errors) == {"sample_size", "categories", "follow_up_1"}
    assert "Line 2" in errors["categories"] and "name: count" in errors["categories"]
    assert analyses(bot) == []
    assert bot.slack.open_view(ALICE) is not None


def test_a_double_submitted_analysis_is_stored_and_posted_once(bot):
    ts = failed_experiment(bot)
    command(bot, "/analysis", "E-1")
    bot.slack.submit_view(user_id=ALICE, values=analysis_form(), double=True)
    bot.settle()

    assert len(analyses(bot)) == 1
    assert len(bot.slack.thread(CHANNEL, ts)) == 2


def test_an_experiment_whose_message_was_never_posted_gets_its_analysis_by_dm(bot):
    frame(bot)
    log(bot, "P-1 0.6 quiet one", channel="C0QUIET")
    command(bot, "/analysis", "E-1", channel="C0QUIET")
    bot.slack.submit_view(user_id=ALICE, values=analysis_form())
    bot.settle()

    [stored] = analyses(bot)
    [dm] = [m for m in bot.slack.messages(ALICE) if m.text.startswith("A-1 is saved")]
    assert "couldn't post it in the experiment's thread" in dm.text
    assert stored.message_ts is None


def test_show_and_help(bot):
    failed_experiment(bot)
    command(bot, "/analysis", "E-1")
    bot.slack.submit_view(user_id=ALICE, values=analysis_form())
    bot.settle()

    shown = rendered(command(bot, "/analysis", "show A-1").body)
    assert "A-1 · error analysis of E-1" in shown and "Augmentation washes out" in shown
    assert "There is no error analysis A-5" in rendered(command(bot, "/analysis", "show A-5").body)
    assert "/analysis E-34" in command(bot, "/analysis", "help").body["text"]
