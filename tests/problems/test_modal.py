"""`/problem` with no text: the modal, inline validation, details and edits."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from storage.problems import Direction, Problem, Track
from tests.conftest import ALICE, BOB, CHANNEL, TEAM
from tests.support.slack import posted, rendered


def text(value: str) -> dict:
    return {"type": "plain_text_input", "value": value}


def choice(value: str) -> dict:
    return {"type": "static_select", "selected_option": {"value": value}}


def full_form(**overrides: dict) -> dict[str, dict[str, dict]]:
    fields = {
        "title": text("Search ranking ignores recency"),
        "statement": text("Analysts cannot find last week's reports."),
        "user_value": text("12 support tickets in October."),
        "feasibility": text("Click logs exist for 6 months."),
        "metric_name": text("nDCG@10"),
        "metric_definition": text("On the October judged set."),
        "direction": choice("higher"),
        "baseline": text("0.61"),
        "target": text("0.70"),
        "guardrails": text("p95 latency < 80 ms"),
        "data_sources": text("clicks, judgements"),
        "prior_work": text("https://arxiv.org/abs/1234.5678"),
        "owner_id": {"type": "users_select", "selected_user": BOB},
        "track": choice("delivery"),
        "review_on": {
            "type": "datepicker",
            "selected_date": (date.today() + timedelta(days=14)).isoformat(),
        },
        "kill_criteria": text("No gain after 3 experiments"),
    }
    fields.update(overrides)
    return {block: {"value": element} for block, element in fields.items()}


def open_form(bot, user: str = ALICE):
    bot.slack.slash_command(team_id=TEAM, user_id=user, channel_id=CHANNEL, command="/problem")
    bot.settle()
    return bot.slack.open_view(user)


def stored(bot) -> list[Problem]:
    with bot.runtime.db.transaction() as session:
        return list(session.scalars(select(Problem).order_by(Problem.number)))


def test_the_form_opens_with_every_field_of_a_problem_statement(bot):
    view = open_form(bot)

    assert view is not None
    assert view.view["callback_id"] == "problem_modal"
    blocks = {b["block_id"] for b in view.view["blocks"]}
    assert {
        "title",
        "statement",
        "user_value",
        "feasibility",
        "metric_name",
        "metric_definition",
        "direction",
        "baseline",
        "target",
        "guardrails",
        "data_sources",
        "prior_work",
        "owner_id",
        "track",
        "review_on",
        "kill_criteria",
    } <= blocks


def test_a_complete_form_stores_every_field_and_posts_the_card(bot):
    # Asked once: a second date.today() after midnight would be a day later than the form's.
    in_two_weeks = date.today() + timedelta(days=14)
    open_form(bot)
    answer = bot.slack.submit_view(
        user_id=ALICE,
        values=full_form(
            review_on={"type": "datepicker", "selected_date": in_two_weeks.isoformat()}
        ),
    )
    bot.settle()

    assert answer.status == 200
    [problem] = stored(bot)
    assert problem.title == "Search ranking ignores recency"
    assert (problem.baseline, problem.target, problem.direction) == (0.61, 0.70, Direction.HIGHER)
    assert (problem.owner_id, problem.created_by, problem.track) == (BOB, ALICE, Track.DELIVERY)
    assert problem.review_on == in_two_weeks
    assert problem.kill_criteria == "No gain after 3 experiments"
    [card] = posted(bot.slack, CHANNEL)
    shown = rendered(card.args["blocks"])
    assert "P-1 · Search ranking ignores recency" in shown and "target 0.7" in shown
    assert f"<@{BOB}>" in shown
    assert bot.slack.open_view(ALICE) is None


def test_bad_fields_come_back_inline_and_the_fixed_form_saves(bot):
    open_form(bot)
    answer = bot.slack.submit_view(
        user_id=ALICE,
        values=full_form(
            target=text("seventy"),
            review_on={"type": "datepicker", "selected_date": "2020-01-01"},
        ),
    )

    assert answer.body["response_action"] == "errors"
    assert set(answer.body["errors"]) == {"target", "review_on"}
    assert "not a number" in answer.body["errors"]["target"]
    assert "in the past" in answer.body["errors"]["review_on"]
    assert stored(bot) == []
    assert bot.slack.open_view(ALICE) is not None

    fixed = bot.slack.submit_view(user_id=ALICE, values=full_form())
    bot.settle()
    assert fixed.status == 200 and len(stored(bot)) == 1


def test_a_target_on_the_wrong_side_of_the_baseline_is_explained(bot):
    open_form(bot)
    answer = bot.slack.submit_view(
        user_id=ALICE,
        values=full_form(direction=choice("lower"), baseline=text("0.2"), target=text("0.3")),
    )

    assert "Lower is better" in answer.body["errors"]["target"]
    assert stored(bot) == []


def test_a_double_submitted_form_stores_one_problem(bot):
    open_form(bot)
    answer = bot.slack.submit_view(user_id=ALICE, values=full_form(), double=True)
    bot.settle()

    assert answer.status == 200 and all(o.status == 200 for o in answer.others)
    assert len(stored(bot)) == 1
    assert len(posted(bot.slack, CHANNEL)) == 1


def test_add_details_opens_the_form_filled_in_and_saving_updates_the_card(bot):
    capture = bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/problem", text="Cold start"
    )
    bot.settle()
    button = capture.body["blocks"][1]["elements"][0]
    bot.slack.click(
        team_id=TEAM,
        user_id=ALICE,
        action_id=button["action_id"],
        value=button["value"],
        channel_id=CHANNEL,
    )
    bot.settle()
    view = bot.slack.open_view(ALICE)
    title = next(b for b in view.view["blocks"] if b["block_id"] == "title")
    assert title["element"]["initial_value"] == "Cold start"

    bot.slack.submit_view(user_id=ALICE, values=full_form(title=text("Cold start for new users")))
    bot.settle()

    [problem] = stored(bot)
    assert problem.title == "Cold start for new users" and problem.target == 0.70
    [update] = bot.slack.calls("chat.update")
    assert update.args["ts"] == problem.card_ts
    assert "Cold start for new users" in rendered(update.args["blocks"])


def test_an_edit_is_kept_when_the_card_can_no_longer_be_updated(bot):
    bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/problem", text="Cold start"
    )
    bot.settle()
    bot.slack.click(
        team_id=TEAM, user_id=ALICE, action_id="problem_add_details", value="1", channel_id=CHANNEL
    )
    bot.settle()
    bot.slack.inject("chat.update", error="message_not_found")

    answer = bot.slack.submit_view(
        user_id=ALICE, values=full_form(title=text("Cold start, edited"))
    )
    bot.settle()

    assert answer.status == 200
    [problem] = stored(bot)
    assert problem.title == "Cold start, edited"
    assert [c.response["error"] for c in bot.slack.calls("chat.update")] == ["message_not_found"]
