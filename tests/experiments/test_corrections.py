"""Corrections propagate: when a result is edited or deleted, or the problem's baseline
changes, every posted confirmation whose verdict or best so far changed is drawn again."""

from __future__ import annotations

from storage.experiments import Outcome
from tests.conftest import ALICE, CHANNEL
from tests.support.delivery import command, edit_details, experiments, form, frame, log, text
from tests.support.slack import rendered


def card(bot, number: int) -> str:
    """E-<number>'s confirmation as the channel shows it now."""
    ts = next(e.message_ts for e in experiments(bot) if e.number == number)
    return rendered(next(m for m in bot.slack.messages(CHANNEL) if m.ts == ts).blocks)


def typo_then_two(bot) -> None:
    """P-1 (baseline 0.70, target 0.95): E-1 a typo of 0.90, then E-2 0.78 and E-3 0.80."""
    frame(bot, baseline="0.70", target="0.95")
    log(bot, "P-1 0.90 typo, meant 0.70")
    log(bot, "P-1 0.78 class-balanced sampling")
    log(bot, "P-1 0.80 hard negatives")


def test_deleting_the_best_result_redraws_the_cards_that_compared_with_it(bot):
    typo_then_two(bot)
    assert "worse than the best so far 0.9" in card(bot, 2)
    assert [e.outcome for e in experiments(bot)][1:] == [Outcome.BEAT_BASELINE] * 2

    command(bot, "/experiment", "delete E-1")

    second, third = card(bot, 2), card(bot, 3)
    assert "best so far" not in second and "Improved" in second
    assert "better than the best so far 0.78 (+0.02, noise unknown)" in third
    assert [e.outcome for e in experiments(bot)][1:] == [Outcome.IMPROVED] * 2

    command(bot, "/experiment", "restore E-1")

    assert "worse than the best so far 0.9" in card(bot, 2)
    assert "Better than baseline" in card(bot, 3)


def test_editing_a_result_redraws_the_later_cards_it_changed(bot):
    typo_then_two(bot)
    command(bot, "/experiment", "edit E-1")
    bot.slack.submit_view(user_id=ALICE, values=form(value=text("0.70")))
    bot.settle()

    assert "equal to baseline 0.7" in card(bot, 1)
    assert "better than the best so far 0.7 (+0.08" in card(bot, 2)
    assert "better than the best so far 0.78" in card(bot, 3)
    # Each card was drawn once more, not once per experiment of the problem.
    edits = [c for c in bot.slack.calls("chat.update") if c.args["channel"] == CHANNEL]
    assert len(edits) == 3


def test_a_new_baseline_redraws_every_card_that_quoted_the_old_one(bot):
    typo_then_two(bot)
    edit_details(
        bot, title=text("Recall on rare classes"), baseline=text("0.79"), target=text("0.95")
    )

    assert "worse than baseline 0.79" in card(bot, 2)
    assert "better than baseline 0.79 (+0.01" in card(bot, 3)
    assert [e.outcome for e in experiments(bot)][1:] == [Outcome.WORSE, Outcome.BEAT_BASELINE]


def test_a_change_that_moves_no_verdict_redraws_only_its_own_card(bot):
    typo_then_two(bot)
    command(bot, "/experiment", "edit E-3")
    bot.slack.submit_view(
        user_id=ALICE, values=form(value=text("0.80"), notes=text("hard negatives, top-50"))
    )
    bot.settle()

    edits = [c for c in bot.slack.calls("chat.update") if c.args["channel"] == CHANNEL]
    assert [c.args["ts"] for c in edits] == [experiments(bot)[2].message_ts]
