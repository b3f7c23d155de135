"""Message shortcuts: "Capture as problem" and "Log as experiment", prefilled and linked back."""

from __future__ import annotations

from tests.conftest import ALICE, BOB, CHANNEL, TEAM
from tests.support.delivery import experiments, form, frame, picked, problems, text
from tests.support.slack import rendered

MESSAGE = (
    "Churn model misses new users &lt;3 <!channel>\n"
    "They churn in week one and we never score them. cc <@U0BOB|bob>"
)


def shortcut(bot, callback_id: str, message_text: str, user: str = ALICE):
    message = bot.slack.post_as_user(team_id=TEAM, user_id=BOB, channel=CHANNEL, text=message_text)
    answer = bot.slack.message_shortcut(
        team_id=TEAM,
        user_id=user,
        channel_id=CHANNEL,
        message_ts=message.ts,
        callback_id=callback_id,
    )
    bot.settle()
    return answer, message


def fields_of(view) -> dict[str, str | None]:
    return {
        b["block_id"]: b["element"].get("initial_value")
        for b in view.view["blocks"]
        if b["type"] == "input"
    }


def test_capture_as_problem_prefills_plain_text_and_links_back_to_the_message(bot):
    answer, message = shortcut(bot, "capture_as_problem", MESSAGE)

    assert answer.status == 200
    prefilled = fields_of(bot.slack.open_view(ALICE))
    assert prefilled["title"] == "Churn model misses new users <3 @channel"
    assert prefilled["statement"].endswith("cc @bob")

    bot.slack.submit_view(
        user_id=ALICE,
        values=form(title=text(prefilled["title"]), statement=text(prefilled["statement"])),
    )
    bot.settle()

    [problem] = problems(bot)
    [link] = bot.slack.calls("chat.getPermalink")
    assert link.args["message_ts"] == message.ts
    assert problem.source_permalink == link.response["permalink"]
    card = next(m for m in bot.slack.messages(CHANNEL) if m.ts == problem.card_ts)
    shown = rendered(card.blocks)
    assert f"<{problem.source_permalink}|this message>" in shown
    assert "<!channel>" not in shown and "&lt;3 @channel" in shown


def test_log_as_experiment_prefills_the_problem_link_and_notes(bot):
    frame(bot, "First")
    frame(bot, "Second")
    shortcut(
        bot, "log_as_experiment", "P-1 with focal loss: 0.77 <https://wandb.ai/acme/r/runs/f0c4l>"
    )

    view = bot.slack.open_view(ALICE)
    problem = next(b for b in view.view["blocks"] if b["block_id"] == "problem")
    assert problem["element"]["initial_option"]["value"] == "1"
    prefilled = fields_of(view)
    assert prefilled["run_url"] == "https://wandb.ai/acme/r/runs/f0c4l"
    assert prefilled["notes"] == "P-1 with focal loss: 0.77 https://wandb.ai/acme/r/runs/f0c4l"

    bot.slack.submit_view(
        user_id=ALICE,
        values=form(problem=picked("1"), value=text("0.77"), run_url=text(prefilled["run_url"])),
    )
    bot.settle()

    [stored] = experiments(bot)
    assert stored.source_permalink and stored.value == 0.77
    message = next(m for m in bot.slack.messages(CHANNEL) if m.ts == stored.message_ts)
    assert f"<{stored.source_permalink}|this message>" in rendered(message.blocks)


def test_a_permalink_slack_cannot_give_does_not_lose_the_record(bot):
    frame(bot)
    shortcut(bot, "log_as_experiment", "P-1 tried dropout 0.3")
    bot.slack.inject("chat.getPermalink", error="message_not_found")
    bot.slack.submit_view(user_id=ALICE, values=form(problem=picked("1"), value=text("0.71")))
    bot.settle()

    [stored] = experiments(bot)
    assert stored.source_permalink is None and stored.message_ts is not None


def test_log_as_experiment_with_no_open_problem_says_to_frame_one_first(bot):
    answer, _ = shortcut(bot, "log_as_experiment", "0.81 with focal loss")

    assert answer.status == 200
    view = bot.slack.open_view(ALICE)
    assert "Frame one first" in rendered(view.view["blocks"]) and view.view["submit"] is None
    assert experiments(bot) == []
