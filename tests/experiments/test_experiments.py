"""`/experiment`: quick log, the form, the computed outcome, and what goes wrong."""

from __future__ import annotations

import pytest

from storage.experiments import Outcome
from tests.conftest import ALICE, CHANNEL, OTHER_TEAM, QUIET_CHANNEL, TEAM
from tests.support.delivery import (
    buttons,
    command,
    experiments,
    form,
    frame,
    log,
    picked,
    text,
)
from tests.support.slack import posted, rendered


def confirmation(bot, ts: str | None = None):
    """The latest experiment confirmation in the channel (or the one at `ts`)."""
    messages = [m for m in bot.slack.messages(CHANNEL) if m.text.startswith("E-")]
    return next(m for m in messages if m.ts == ts) if ts else messages[-1]


def test_a_quick_log_computes_the_verdict_and_posts_it_in_a_sentence(bot):
    frame(bot, baseline="0.70", target="0.80")
    answer = log(bot, "P-1 0.75 added hard negatives https://wandb.ai/acme/recall/runs/3kx9q2")

    assert answer.status == 200
    [stored] = experiments(bot)
    assert (stored.number, stored.value, stored.outcome) == (1, 0.75, Outcome.IMPROVED)
    assert stored.run_url == "https://wandb.ai/acme/recall/runs/3kx9q2"
    message = confirmation(bot)
    shown = rendered(message.blocks)
    assert "Improved" in shown
    # One seed and no evaluation set: no noise is known, and the card says so.
    assert "*recall* 0.75 (1 seed): better than baseline 0.7 (+0.05, noise unknown)." in shown
    assert "Target 0.8" in shown and "log several seeds" in shown
    assert "<https://wandb.ai/acme/recall/runs/3kx9q2|W&amp;B run recall/3kx9q2>" in shown
    assert "Start error analysis" not in shown
    assert (stored.message_channel, stored.message_ts) == (CHANNEL, message.ts)


def test_each_result_is_compared_with_the_best_so_far(bot):
    frame(bot, baseline="0.70", target="0.80")
    log(bot, "P-1 0.78 first")
    log(bot, "P-1 0.74 second")
    log(bot, "P-1 0.82 third")

    assert [e.outcome for e in experiments(bot)] == [
        Outcome.IMPROVED,
        Outcome.BEAT_BASELINE,  # above the baseline, below the best so far: not "improved"
        Outcome.MET_TARGET,
    ]
    second = rendered(confirmation(bot, experiments(bot)[1].message_ts).blocks)
    assert "Better than baseline" in second
    assert "worse than the best so far 0.78 (-0.04, noise unknown)" in second
    assert "Met target" in rendered(confirmation(bot).blocks)


def test_lower_is_better_metrics_are_judged_the_right_way_round(bot):
    frame(bot, "p95 latency", baseline="120", target="80", direction="lower")
    log(bot, "P-1 100 quantised")
    log(bot, "P-1 130 bigger batch")

    assert [e.outcome for e in experiments(bot)] == [Outcome.IMPROVED, Outcome.WORSE]
    assert "better than baseline 120 (-20, noise unknown)" in rendered(experiments_message(bot, 0))
    assert "worse than baseline 120 (+10, noise unknown)" in rendered(experiments_message(bot, 1))


def experiments_message(bot, index: int) -> str:
    return rendered(confirmation(bot, experiments(bot)[index].message_ts).blocks)


def test_a_result_that_did_not_improve_carries_the_analysis_button_and_stays_flagged(bot):
    frame(bot)
    log(bot, "P-1 0.70 same as before")
    log(bot, "P-1 0.65 fewer features")

    no_gain, worse = experiments(bot)
    assert (no_gain.outcome, worse.outcome) == (Outcome.NO_GAIN, Outcome.WORSE)
    for row in (no_gain, worse):
        button = buttons(confirmation(bot, row.message_ts).blocks)["analysis_start"]
        assert button["value"] == str(row.number)
    owed = command(bot, "/analysis")
    assert "E-1" in rendered(owed.body) and "E-2" in rendered(owed.body)


def test_a_broken_run_says_what_broke_and_owes_no_analysis(bot):
    frame(bot)
    refused = command(bot, "/experiment", "P-1 broken")
    assert "Say what broke, e.g. `/experiment P-1 broken OOM at step 3`" in rendered(refused.body)
    assert experiments(bot) == []

    log(bot, "P-1 broken OOM at step 3")

    [broken] = experiments(bot)
    assert (broken.outcome, broken.value, broken.notes) == (Outcome.BROKEN, None, "OOM at step 3")
    card = confirmation(bot, broken.message_ts)
    assert "Broken: the run gave no number." in rendered(card.blocks)
    assert "*What broke:* OOM at step 3" in rendered(card.blocks)
    assert "analysis_start" not in buttons(card.blocks)
    assert "E-1" not in rendered(command(bot, "/analysis").body)


def test_a_problem_without_a_target_still_logs_and_says_what_is_missing(bot):
    frame(bot, baseline="0.70", target="")
    log(bot, "P-1 0.95 huge jump")

    [stored] = experiments(bot)
    assert stored.outcome == Outcome.IMPROVED
    shown = rendered(confirmation(bot).blocks)
    assert "no target, so 'met target' cannot be judged" in shown
    assert "Edit details on `/problem show P-1`" in shown


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("P-9 0.8 nope", "There is no problem P-9"),
        ("P-1 eighty", "'eighty' is not a number"),
        ("P-1 nan", "is not a number"),
        ("P-1 0.8x", "'0.8x' is not a number"),
        ("Q-1 0.8", "is not an id like P-12"),
        ("P-1 0.8 run https://wandb.ai/a|<!here>", "A link cannot contain"),
    ],
)
def test_bad_quick_logs_say_what_was_wrong_and_store_nothing(bot, typed, says):
    frame(bot)
    answer = log(bot, typed)

    assert answer.body["response_type"] == "ephemeral"
    assert says in rendered(answer.body)
    assert "/experiment help" in rendered(answer.body)
    assert experiments(bot) == []


def test_another_workspaces_problem_ids_behave_like_missing_ones(bot):
    frame(bot)
    answer = log(bot, "P-1 0.9 sneaky", team=OTHER_TEAM, user="U0MALLORY", channel="C0OTHER")
    form_answer = command(
        bot, "/experiment", "P-1", team=OTHER_TEAM, user="U0MALLORY", channel="C0OTHER"
    )

    assert "There is no problem P-1" in rendered(answer.body)
    assert "P-1 is not an open problem" in rendered(form_answer.body)
    assert experiments(bot) == [] and experiments(bot, OTHER_TEAM) == []
    assert bot.slack.views(team_id=OTHER_TEAM) == []


def test_a_retried_quick_log_is_logged_once(bot):
    frame(bot)
    first = bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/experiment", text="P-1 0.75 x"
    )
    again = bot.slack.redeliver(first)
    bot.settle()

    assert "E-1 is already logged" in rendered(again.body)
    assert len(experiments(bot)) == 1
    assert len([m for m in bot.slack.messages(CHANNEL) if m.text.startswith("E-")]) == 1


def test_a_channel_that_refuses_the_post_keeps_the_experiment_and_shows_the_author(bot):
    frame(bot)
    log(bot, "P-1 0.75 quiet", channel=QUIET_CHANNEL)

    [stored] = experiments(bot)
    assert stored.message_ts is None
    [reply] = [r for r in bot.slack.responses if "couldn't post it here" in rendered(r.body)]
    assert "Improved" in rendered(reply.body) and "/invite @ritualbot" in rendered(reply.body)


def experiment_form(**overrides):
    fields = {
        "problem": picked("1"),
        "hypothesis": text("Hard negatives lift recall on rare classes"),
        "approach": text("Mine hard negatives from the top-50"),
        "dataset": text("eval-2026-10 v3"),
        "value": text("0.81"),
        "metrics": text("p95_ms: 41\nsize_mb: 12"),
        "run_url": text(
            "https://github.com/acme/ranker/commit/9fceb02d0ae598e95dc970b74767f19372d61af8"
        ),
        "notes": text("<!channel> tried on <@U0BOB>'s split"),
    }
    return form(**(fields | overrides))


def test_the_form_lists_open_problems_preselects_one_and_stores_every_field(bot):
    frame(bot, "First")
    frame(bot, "Second")
    command(bot, "/experiment", "P-1")
    view = bot.slack.open_view(ALICE)
    problem = next(b for b in view.view["blocks"] if b["block_id"] == "problem")
    menu = problem["element"]
    assert menu["initial_option"]["value"] == "1"
    listed = bot.slack.suggest(user_id=ALICE, action_id=menu["action_id"], value="")
    assert [o["value"] for o in listed.body["options"]] == ["2", "1"]

    answer = bot.slack.submit_view(user_id=ALICE, values=experiment_form())
    bot.settle()

    assert answer.status == 200 and bot.slack.open_view(ALICE) is None
    [stored] = experiments(bot)
    assert (stored.hypothesis, stored.dataset, stored.value) == (
        "Hard negatives lift recall on rare classes",
        "eval-2026-10 v3",
        0.81,
    )
    assert stored.metrics == {"p95_ms": 41.0, "size_mb": 12.0}
    assert stored.outcome == Outcome.MET_TARGET
    shown = rendered(confirmation(bot).blocks)
    assert "*E-1* on *P-1 · First*" in shown
    assert "GitHub commit acme/ranker@9fceb02" in shown
    assert "<!channel>" not in shown and "<@U0BOB>" not in shown


def test_bad_fields_in_the_form_come_back_inline_and_nothing_is_stored(bot):
    frame(bot)
    command(bot, "/experiment")
    answer = bot.slack.submit_view(
        user_id=ALICE,
        values=experiment_form(
            value=text("0.8.1"), metrics=text("p95 41"), run_url=text("wandb run 12")
        ),
    )

    assert answer.body["response_action"] == "errors"
    assert set(answer.body["errors"]) == {"value", "metrics", "run_url"}
    assert "not a number" in answer.body["errors"]["value"]
    assert experiments(bot) == []


def test_a_double_submitted_form_logs_one_experiment(bot):
    frame(bot)
    command(bot, "/experiment")
    bot.slack.submit_view(user_id=ALICE, values=experiment_form(), double=True)
    bot.settle()

    assert len(experiments(bot)) == 1
    assert len([m for m in bot.slack.messages(CHANNEL) if m.text.startswith("E-")]) == 1


def test_with_no_open_problem_the_form_says_to_frame_one_first(bot):
    command(bot, "/experiment")

    view = bot.slack.open_view(ALICE)
    assert "Frame one first" in rendered(view.view["blocks"])


def test_show_and_help(bot):
    frame(bot)
    log(bot, "P-1 0.75 tried it")

    shown = rendered(command(bot, "/experiment", "show E-1").body)
    assert "E-1" in shown and "Improved" in shown and "experiment_edit" in shown
    assert "There is no experiment E-7" in rendered(command(bot, "/experiment", "show E-7").body)
    help_text = command(bot, "/experiment", "help").body["text"]
    for form_ in ("/experiment P-12 0.83", "/experiment restore E-3", "/experiment history E-3"):
        assert form_ in help_text


def test_the_problem_shows_its_latest_experiments(bot):
    frame(bot)
    log(bot, "P-1 0.75 tried it")

    shown = rendered(command(bot, "/problem", "show P-1").body)
    assert "Latest experiments" in shown and "*E-1* 0.75" in shown
    assert posted(bot.slack, CHANNEL)
