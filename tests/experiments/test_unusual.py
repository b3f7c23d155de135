"""A value implausibly far from everything known of a problem (1e9 typed for 0.9) is asked
about before it counts: from the one-liner with "Log it as typed" and "Edit", from the form
with a warning above the value. Nothing is stored until the person says."""

from __future__ import annotations

from storage.experiments import Outcome
from tests.conftest import ALICE, CHANNEL, TEAM
from tests.support.delivery import buttons, command, experiments, frame, log, picked, text
from tests.support.slack import rendered

ASKED = "Did you mean *1e+09*?"


def cards(bot) -> list:
    return [m for m in bot.slack.messages(CHANNEL) if m.text.startswith("E-")]


def question(bot):
    [asked] = [m for m in bot.slack.ephemerals(CHANNEL, ALICE) if "Did you mean" in m.text]
    return asked


def press(bot, asked, name: str, pressed: dict | None = None):
    pressed = pressed or buttons(asked.blocks)[name]
    answer = bot.slack.click(
        team_id=TEAM,
        user_id=ALICE,
        action_id=pressed["action_id"],
        value=pressed["value"],
        channel_id=CHANNEL,
        message_ts=asked.ts,
    )
    bot.settle()
    return answer


def test_a_typo_in_a_one_liner_is_asked_about_and_nothing_is_logged(bot):
    frame(bot, baseline="0.62", target="0.75")
    log(bot, "P-1 0.66 first")

    answer = log(bot, "P-1 1e9 typo run")

    assert answer.status == 200
    asked = question(bot)
    shown = rendered(asked.blocks)
    assert ASKED in shown
    assert "far from everything known of *recall* on P-1" in shown
    assert "baseline 0.62, target 0.75, results so far 0.66" in shown
    assert "I have not logged it yet" in shown
    assert set(buttons(asked.blocks)) == {"experiment_as_typed", "experiment_retype"}
    assert [e.value for e in experiments(bot)] == [0.66]
    assert len(cards(bot)) == 1


def test_log_it_as_typed_logs_it_once_and_the_question_says_so(bot):
    frame(bot, baseline="0.62", target="0.75")
    log(bot, "P-1 1e9 typo run")
    asked = question(bot)

    button = buttons(asked.blocks)["experiment_as_typed"]
    press(bot, asked, "experiment_as_typed")
    press(bot, asked, "experiment_as_typed", button)  # a double click, or Slack's retry

    [stored] = experiments(bot)
    assert (stored.value, stored.notes, stored.outcome) == (1e9, "typo run", Outcome.MET_TARGET)
    assert asked.text == "Logged E-1 as typed."
    [card] = cards(bot)
    assert card.text.startswith("E-1 on P-1")


def test_a_value_confirmed_once_widens_what_is_plausible(bot):
    frame(bot, baseline="120", target="100", direction="lower")
    log(bot, "P-1 2500 cold cache")
    press(bot, question(bot), "experiment_as_typed")

    log(bot, "P-1 2400 cold cache again")

    assert [e.value for e in experiments(bot)] == [2500, 2400]
    # The first question was answered (and replaced); the second value raised none.
    assert not [m for m in bot.slack.ephemerals(CHANNEL, ALICE) if "Did you mean" in m.text]


def test_edit_opens_the_form_with_what_was_typed_and_logs_the_fix(bot):
    frame(bot, baseline="0.62", target="0.75")
    log(bot, "P-1 1e9 n=2000 typo https://wandb.ai/acme/recall/runs/abc123")

    press(bot, question(bot), "experiment_retype")

    form = bot.slack.open_view(ALICE)
    assert form is not None
    inputs = {
        b["block_id"]: b["element"].get("initial_value")
        for b in form.view["blocks"]
        if b["type"] == "input"
    }
    assert inputs["value"] == "1e9" and inputs["eval_size"] == "2000"
    assert inputs["run_url"] == "https://wandb.ai/acme/recall/runs/abc123"
    assert inputs["notes"] == "typo https://wandb.ai/acme/recall/runs/abc123"
    problem = next(b for b in form.view["blocks"] if b["block_id"] == "problem")
    assert problem["element"]["initial_option"]["value"] == "1"
    assert experiments(bot) == []

    bot.slack.submit_view(
        user_id=ALICE,
        values={
            "problem": {"value": picked("1")},
            "value": {"value": text("0.9")},
            "notes": {"value": text("typo fixed")},
        },
    )
    bot.settle()

    [stored] = experiments(bot)
    assert (stored.value, stored.notes) == (0.9, "typo fixed")


def form_values(value: str) -> dict:
    return {
        "problem": {"value": picked("1")},
        "value": {"value": text(value)},
        "notes": {"value": text("from the form")},
    }


def test_the_form_warns_above_the_value_and_a_second_unchanged_save_logs_it(bot):
    frame(bot, baseline="0.62", target="0.75")
    command(bot, "/experiment", "P-1")

    answer = bot.slack.submit_view(user_id=ALICE, values=form_values("1e9"))
    bot.settle()

    assert answer.body["response_action"] == "update"
    form = bot.slack.open_view(ALICE)
    ids = [b.get("block_id") for b in form.view["blocks"]]
    assert ids.index("unusual") == ids.index("value") - 1
    warning = rendered([form.view["blocks"][ids.index("unusual")]])
    assert ASKED in warning and "Press *Save* again to log it as typed" in warning
    assert experiments(bot) == []

    # Changed to another odd value: asked about that one instead, still nothing logged.
    bot.slack.submit_view(user_id=ALICE, values=form_values("7e8"))
    bot.settle()
    form = bot.slack.open_view(ALICE)
    assert "Did you mean *7e+08*?" in rendered(form.view["blocks"])
    assert [b.get("block_id") for b in form.view["blocks"]].count("unusual") == 1
    assert experiments(bot) == []

    bot.slack.submit_view(user_id=ALICE, values=form_values("7e8"))
    bot.settle()

    assert bot.slack.open_view(ALICE) is None
    [stored] = experiments(bot)
    assert stored.value == 7e8
    assert len(cards(bot)) == 1


def test_editing_a_result_to_an_odd_value_asks_too(bot):
    frame(bot, baseline="0.62", target="0.75")
    log(bot, "P-1 0.66 first")
    log(bot, "P-1 0.7 second")
    command(bot, "/experiment", "edit E-2")

    bot.slack.submit_view(user_id=ALICE, values={"value": {"value": text("70")}})
    bot.settle()

    assert "Did you mean *70*?" in rendered(bot.slack.open_view(ALICE).view["blocks"])
    assert [e.value for e in experiments(bot)] == [0.66, 0.7]

    bot.slack.submit_view(user_id=ALICE, values={"value": {"value": text("70")}})
    bot.settle()

    assert [e.value for e in experiments(bot)] == [0.66, 70]


def test_nothing_is_asked_where_nothing_is_known_or_the_value_is_near(bot):
    frame(bot, baseline="", target="")
    log(bot, "P-1 1e9 first result, nothing to compare with")
    log(bot, "P-1 2e9 same order")
    frame(bot, "Second", baseline="0.62", target="0.75")
    log(bot, "P-2 0.9 a big but plausible jump")

    assert [e.value for e in experiments(bot)] == [1e9, 2e9, 0.9]
    assert not [m for m in bot.slack.ephemerals(CHANNEL, ALICE) if "Did you mean" in m.text]
