"""The problem form's metric kind, range and evaluation set size: stored, checked field by
field, shown on the card, and kept through an edit."""

from __future__ import annotations

import pytest

from storage.problems import MetricKind
from tests.conftest import ALICE, CHANNEL, TEAM
from tests.support.delivery import choice, command, form, person, problems, text
from tests.support.slack import posted, rendered

BOUNDED = {"metric_kind": choice("bounded"), "metric_low": text("0"), "metric_high": text("100")}


def problem_form(**fields):
    typed = {
        "title": text("Recall on rare classes"),
        "metric_name": text("recall"),
        "direction": choice("higher"),
        "baseline": text("0.62"),
        "target": text("0.75"),
        "owner_id": person(ALICE),
        "track": choice("delivery"),
    }
    return form(**(typed | fields))


def submit(bot, **fields):
    command(bot, "/problem")
    answer = bot.slack.submit_view(user_id=ALICE, values=problem_form(**fields))
    bot.settle()
    return answer


def test_the_form_asks_for_the_metrics_kind_its_range_and_the_evaluation_set(bot):
    command(bot, "/problem")
    blocks = {b["block_id"]: b for b in bot.slack.open_view(ALICE).view["blocks"]}

    kind = blocks["metric_kind"]
    assert kind["optional"] and kind["element"]["type"] == "static_select"
    assert [o["text"]["text"] for o in kind["element"]["options"]] == [
        "Proportion 0–1 (accuracy, recall, F1, error rate…)",
        "Bounded score (give its range)",
        "Unbounded (latency, loss…)",
    ]
    assert "initial_option" not in kind["element"]  # not said until someone says it
    assert {"metric_low", "metric_high", "eval_size"} <= set(blocks)


def test_a_proportion_with_its_evaluation_set_is_stored_and_shown_on_the_card(bot):
    answer = submit(bot, metric_kind=choice("proportion"), eval_size=text("2000"))

    assert answer.status == 200
    [problem] = problems(bot)
    assert (problem.metric_kind, problem.eval_size) == (MetricKind.PROPORTION, 2000)
    assert (problem.metric_low, problem.metric_high) == (None, None)
    [card] = posted(bot.slack, CHANNEL)
    assert "recall ↑ baseline 0.62 → target 0.75 · proportion 0–1 · n=2,000" in rendered(
        card.args["blocks"]
    )


def test_a_bounded_score_keeps_its_range_and_an_unsaid_kind_shows_nothing_more(bot):
    submit(
        bot,
        **BOUNDED,
        baseline=text("62"),
        target=text("75"),
    )
    submit(bot, title=text("Churn"))

    bounded, unsaid = problems(bot)
    assert (bounded.metric_kind, bounded.metric_low, bounded.metric_high) == (
        MetricKind.BOUNDED,
        0.0,
        100.0,
    )
    assert unsaid.metric_kind is None and unsaid.eval_size is None
    first, second = posted(bot.slack, CHANNEL)
    assert "target 75 · range 0–100" in rendered(first.args["blocks"])
    assert 'target 0.75"' in rendered(second.args["blocks"])  # nothing after the target


def test_a_bounded_score_may_be_open_on_one_side(bot):
    submit(bot, **BOUNDED | {"metric_high": text("")}, baseline=text("120"), target=text("150"))
    refused = submit(bot, metric_kind=choice("bounded"), metric_low=text("0"), target=text("-1"))

    [problem] = problems(bot)
    assert (problem.metric_low, problem.metric_high) == (0.0, None)
    assert "range ≥ 0" in rendered(posted(bot.slack, CHANNEL)[0].args["blocks"])
    assert refused.body["errors"] == {
        "target": "Recall is a bounded score: values run from 0 up; you typed -1. "
        "Type a value in that range."
    }


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"metric_kind": choice("proportion"), "baseline": text("62")},
            {
                "baseline": "Recall is a proportion: values run from 0 to 1; you typed 62. "
                "If you meant 62%, type 0.62."
            },
        ),
        (
            {"metric_kind": choice("proportion"), "target": text("-0.2")},
            {
                "target": "Recall is a proportion: values run from 0 to 1; you typed -0.2. "
                "Type it as a fraction, e.g. 0.83 for 83%."
            },
        ),
        (
            {"metric_kind": choice("bounded")},
            {
                "metric_low": "A bounded score needs its range: type the lowest value it can "
                "take, the highest, or both (e.g. 0 and 100)."
            },
        ),
        (
            {
                "metric_kind": choice("bounded"),
                "metric_low": text("10"),
                "metric_high": text("1"),
            },
            {"metric_high": "The highest value (1) must be above the lowest (10)."},
        ),
        (
            {
                "metric_kind": choice("bounded"),
                "metric_low": text("0"),
                "metric_high": text("0.7"),
            },
            {
                "target": "Recall is a bounded score: values run from 0 to 0.7; you typed "
                "0.75. Type a value in that range."
            },
        ),
        (
            {"metric_kind": choice("unbounded"), "metric_high": text("100")},
            {
                "metric_high": "Only a bounded score has a range: pick 'Bounded score' as "
                "the metric's kind, or leave this empty."
            },
        ),
        (
            {"eval_size": text("2k")},
            {
                "eval_size": "'2k' is not a number of examples. Type how many examples were "
                "evaluated, as a whole number above 0, e.g. 2000."
            },
        ),
        ({"eval_size": text("0")}, {"eval_size": "'0' is not a number of examples."}),
        ({"metric_low": text("low")}, {"metric_low": "'low' is not a number."}),
    ],
)
def test_each_bad_field_says_what_to_type_and_nothing_is_stored(bot, fields, errors):
    answer = submit(bot, **fields)

    assert answer.body["response_action"] == "errors"
    assert set(answer.body["errors"]) == set(errors)
    for field, says in errors.items():
        assert answer.body["errors"][field].startswith(says)
    assert problems(bot) == []


def test_editing_a_problem_keeps_its_kind_range_and_evaluation_set(bot):
    submit(
        bot,
        **BOUNDED,
        eval_size=text("850"),
        baseline=text("62"),
        target=text("75"),
    )
    bot.slack.click(
        team_id=TEAM, user_id=ALICE, action_id="problem_add_details", value="1", channel_id=CHANNEL
    )
    bot.settle()
    blocks = {b["block_id"]: b for b in bot.slack.open_view(ALICE).view["blocks"]}
    assert blocks["metric_kind"]["element"]["initial_option"]["value"] == "bounded"
    initial = {
        f: blocks[f]["element"]["initial_value"] for f in ("metric_low", "metric_high", "eval_size")
    }
    assert initial == {"metric_low": "0", "metric_high": "100", "eval_size": "850"}

    bot.slack.submit_view(
        user_id=ALICE,
        values=problem_form(
            title=text("Recall on rare classes, per class"),
            metric_kind=choice("bounded"),
            baseline=text("62"),
            target=text("75"),
            **{f: text(v) for f, v in initial.items()},
        ),
    )
    bot.settle()

    [problem] = problems(bot)
    assert problem.title == "Recall on rare classes, per class"
    assert (problem.metric_kind, problem.metric_low, problem.metric_high, problem.eval_size) == (
        MetricKind.BOUNDED,
        0.0,
        100.0,
        850,
    )
    [update] = bot.slack.calls("chat.update")
    assert "range 0–100 · n=850" in rendered(update.args["blocks"])
