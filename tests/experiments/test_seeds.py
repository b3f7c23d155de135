"""Several seeds, one result: every seed's value and the examples evaluated, typed in one line
or in the form, kept, shown, edited, and refused when they cannot be the metric's."""

from __future__ import annotations

import pytest

from storage.experiments import Outcome
from tests.conftest import ALICE, CHANNEL
from tests.support.delivery import choice, command, experiments, form, frame, log, picked, text
from tests.support.slack import rendered


def confirmation(bot) -> str:
    [message] = [m for m in bot.slack.messages(CHANNEL) if m.text.startswith("E-")][-1:]
    return rendered(message.blocks)


def proportion(bot, **more) -> int:
    """Recall, a proportion measured on 2,000 examples: baseline 0.70, target 0.80."""
    return frame(bot, metric_kind=choice("proportion"), eval_size=text("2000"), **more)


def test_a_one_liner_keeps_every_seed_and_n_and_is_judged_on_their_mean(bot):
    frame(bot, baseline="0.70", target="0.80")
    answer = log(bot, "P-1 0.71 0.69 0.72 n=2000 class-balanced sampling")

    assert answer.status == 200
    [stored] = experiments(bot)
    assert stored.values == [0.71, 0.69, 0.72] and stored.eval_size == 2000
    assert stored.value == pytest.approx(0.70667, abs=1e-5)
    assert stored.notes == "class-balanced sampling"
    # The mean, 0.707, is above the baseline 0.70, but well within the seeds' spread.
    assert stored.outcome == Outcome.INCONCLUSIVE
    shown = confirmation(bot)
    assert "0.71 ± 0.038 (3 seeds): above baseline 0.70; inconclusive against it." in shown
    assert "seeds 0.71, 0.69, 0.72 · n=2,000" in shown
    assert "the difference is within noise; more seeds would settle it" in shown
    [message] = [m for m in bot.slack.messages(CHANNEL) if m.text.startswith("E-")]
    assert message.text == "E-1 on P-1: inconclusive (within noise) (0.707 over 3 seeds)"
    listed = rendered(command(bot, "/problem", "show P-1").body)
    assert "*E-1* 0.707 over 3 seeds" in listed


def test_one_value_reads_as_before_and_n_defaults_to_the_problems_evaluation_set(bot):
    proportion(bot)
    log(bot, "P-1 0.75 hard negatives")

    [stored] = experiments(bot)
    assert (stored.value, stored.values, stored.eval_size) == (0.75, [0.75], 2000)
    shown = confirmation(bot)
    # One seed of a proportion: its noise comes from the 2,000 examples (Wilson's interval).
    assert "0.75 (0.73–0.77 at 95%, 1 seed, n=2,000)" in shown and "seeds" not in shown


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        (
            "P-1 62 typo",
            "Recall is a proportion: values run from 0 to 1; you typed 62. "
            "If you meant 62%, type 0.62.",
        ),
        ("P-1 0.7 -3 flipped sign", "values run from 0 to 1; you typed -3. Type it as a fraction"),
        ("P-1 1e9 typo run", "you typed 1e+09. Type it as a fraction, e.g. 0.83 for 83%."),
        ("P-1 0.7 n=0 x", "n=0: '0' is not a number of examples"),
        ("P-1 0.7 n=2.5 x", "n=2.5: '2.5' is not a number of examples"),
        ("P-1 0.7 n=2k x", "whole number above 0, e.g. 2000"),
        ("P-1 0.71 0,69 x", "'0,69' is not a number"),
        ("P-1 n=2000 x", "'x' is not a number"),
        ("P-1 n=2000", "Give the metric's value too"),
    ],
)
def test_bad_seeds_or_n_in_a_one_liner_say_what_to_type_and_store_nothing(bot, typed, says):
    proportion(bot)
    answer = log(bot, typed)

    assert answer.body["response_type"] == "ephemeral"
    assert says in rendered(answer.body)
    assert experiments(bot) == []
    assert not [m for m in bot.slack.messages(CHANNEL) if m.text.startswith("E-")]


def test_a_bounded_score_refuses_values_outside_its_range(bot):
    frame(
        bot,
        baseline="60",
        target="75",
        metric_kind=choice("bounded"),
        metric_low=text("0"),
        metric_high=text("100"),
    )
    refused = log(bot, "P-1 72 120 odd seed")
    log(bot, "P-1 72 74 fine")

    assert "Recall is a bounded score: values run from 0 to 100; you typed 120" in rendered(
        refused.body
    )
    [stored] = experiments(bot)
    assert stored.values == [72.0, 74.0]


def seeds_form(**overrides):
    fields = {
        "problem": picked("1"),
        "approach": text("Class-balanced sampling"),
        "value": text("0.71, 0.69 0.72"),
        "eval_size": text("1500"),
    }
    return form(**(fields | overrides))


def test_the_form_takes_one_value_per_seed_and_the_examples_evaluated(bot):
    proportion(bot)
    command(bot, "/experiment")
    blocks = {b["block_id"]: b for b in bot.slack.open_view(ALICE).view["blocks"]}
    assert blocks["value"]["label"]["text"] == "Metric values (one per seed)"
    assert blocks["eval_size"]["label"]["text"] == "Evaluation examples (n)"

    answer = bot.slack.submit_view(user_id=ALICE, values=seeds_form())
    bot.settle()

    assert answer.status == 200
    [stored] = experiments(bot)
    assert (stored.values, stored.eval_size) == ([0.71, 0.69, 0.72], 1500)
    assert "(3 seeds)" in confirmation(bot)
    assert "seeds 0.71, 0.69, 0.72 · n=1,500" in confirmation(bot)


def test_bad_seeds_or_n_in_the_form_come_back_on_their_fields_and_store_nothing(bot):
    proportion(bot)
    command(bot, "/experiment")

    typo = bot.slack.submit_view(
        user_id=ALICE, values=seeds_form(value=text("0.71 0.69 abc"), eval_size=text("-5"))
    )
    out_of_range = bot.slack.submit_view(user_id=ALICE, values=seeds_form(value=text("0.7 71")))

    assert typo.body["response_action"] == "errors"
    assert set(typo.body["errors"]) == {"value", "eval_size"}
    assert "'abc' is not a number" in typo.body["errors"]["value"]
    assert "one per seed separated by spaces: 0.71 0.69 0.72" in typo.body["errors"]["value"]
    assert "'-5' is not a number of examples" in typo.body["errors"]["eval_size"]
    assert out_of_range.body["errors"] == {
        "value": "Recall is a proportion: values run from 0 to 1; you typed 71. "
        "If you meant 71%, type 0.71."
    }
    assert experiments(bot) == []


def test_editing_keeps_the_seeds_and_n_and_saves_new_ones(bot):
    proportion(bot)
    log(bot, "P-1 0.71 0.69 0.72 n=1800 class-balanced sampling")

    command(bot, "/experiment", "edit E-1")
    blocks = {b.get("block_id"): b for b in bot.slack.open_view(ALICE).view["blocks"]}
    assert blocks["value"]["element"]["initial_value"] == "0.71 0.69 0.72"
    assert blocks["eval_size"]["element"]["initial_value"] == "1800"
    kept = {"value": text("0.71 0.69 0.72"), "eval_size": text("1800")}
    bot.slack.submit_view(user_id=ALICE, values=form(**kept, notes=text("balanced per class")))
    bot.settle()

    [stored] = experiments(bot)
    assert (stored.values, stored.eval_size, stored.notes) == (
        [0.71, 0.69, 0.72],
        1800,
        "balanced per class",
    )

    command(bot, "/experiment", "edit E-1")
    bot.slack.submit_view(
        user_id=ALICE, values=form(value=text("0.81 0.83"), eval_size=text("1800"))
    )
    bot.settle()

    [stored] = experiments(bot)
    assert stored.values == [0.81, 0.83] and stored.value == pytest.approx(0.82)
    assert stored.outcome == Outcome.MET_TARGET
    edited = next(m for m in bot.slack.messages(CHANNEL) if m.ts == stored.message_ts)
    assert "0.8 ± 0.13 (2 seeds): meets the target 0.8" in rendered(edited.blocks)
    assert "seeds 0.81, 0.83 · n=1,800" in rendered(edited.blocks)


def test_an_edit_out_of_the_metrics_range_is_refused_and_changes_nothing(bot):
    proportion(bot)
    log(bot, "P-1 0.71 0.69 first")
    command(bot, "/experiment", "edit E-1")

    answer = bot.slack.submit_view(user_id=ALICE, values=form(value=text("0.71 69")))

    assert answer.body["errors"]["value"].endswith("you typed 69. If you meant 69%, type 0.69.")
    [stored] = experiments(bot)
    assert stored.values == [0.71, 0.69]


def test_help_shows_the_seeds_form(bot):
    help_text = command(bot, "/experiment", "help").body["text"]

    assert "/experiment P-12 0.71 0.69 0.72 n=2000 class-balanced sampling" in help_text
    assert "one value per seed" in help_text
