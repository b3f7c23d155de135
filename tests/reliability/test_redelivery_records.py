"""Slack's redeliveries of experiment logging, analyses and decisions: exactly one effect each.
(Double-submitted standup answers are covered in tests/standup/test_standup.py.)"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from bot.ids import ActionId
from storage.problems import Decision
from tests.conftest import ALICE, CHANNEL, TEAM
from tests.reliability.test_attacks_every_path import analysis_values, experiment_values
from tests.support import ledger
from tests.support.delivery import analyses, command, experiments, form, frame, text


@pytest.fixture(scope="module")
def framed(module_bot):
    frame(module_bot)
    return module_bot


def channel_posts(bot) -> list:
    return [c for c in bot.slack.calls("chat.postMessage") if c.args.get("channel") == CHANNEL]


def thread_posts(bot) -> list:
    return [c for c in channel_posts(bot) if c.args.get("thread_ts")]


def test_a_quick_log_retried_three_times_at_once_logs_one_experiment(framed):
    bot = framed
    before, posts = len(experiments(bot)), len(channel_posts(bot))
    first = bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/experiment", text="P-1 0.65 x"
    )
    with ThreadPoolExecutor(max_workers=3) as pool:
        again = list(pool.map(lambda n: bot.slack.redeliver(first, retry_num=n), (1, 2, 3)))
    bot.settle()

    assert {a.status for a in [first, *again]} == {200}
    assert len(experiments(bot)) == before + 1
    assert len(channel_posts(bot)) == posts + 1
    ledger.record(
        area="redelivery",
        fault="/experiment quick log retried 3 times, concurrently",
        tries=3,
        outcome="one experiment, one channel post; retries told it is already logged",
    )


def test_a_double_submitted_experiment_form_logs_one_experiment(framed):
    bot = framed
    before, posts = len(experiments(bot)), len(channel_posts(bot))
    command(bot, "/experiment", "P-1")
    answer = bot.slack.submit_view(user_id=ALICE, values=experiment_values(1), double=True)
    bot.settle()

    assert {d.status for d in [answer, *answer.others]} == {200}
    assert len(experiments(bot)) == before + 1
    assert len(channel_posts(bot)) == posts + 1
    ledger.record(
        area="redelivery",
        fault="experiment form submitted twice at once",
        tries=2,
        outcome="one experiment, one channel post",
    )


def test_a_double_submitted_analysis_is_stored_and_threaded_once(framed):
    bot = framed
    command(bot, "/experiment", "P-1 0.61 worse")
    number = experiments(bot)[-1].number
    before, threads = len(analyses(bot)), len(thread_posts(bot))
    command(bot, "/analysis", f"E-{number}")
    answer = bot.slack.submit_view(user_id=ALICE, values=analysis_values(), double=True)
    bot.settle()

    assert {d.status for d in [answer, *answer.others]} == {200}
    assert len(analyses(bot)) == before + 1
    assert len(thread_posts(bot)) == threads + 1
    ledger.record(
        area="redelivery",
        fault="error-analysis form submitted twice at once",
        tries=2,
        outcome="one analysis, one post in the experiment's thread",
    )


def test_a_double_clicked_decision_opens_one_form_and_a_double_submit_decides_once(framed):
    bot = framed

    def decisions() -> int:
        with bot.runtime.db.transaction() as session:
            return session.scalar(select(func.count()).select_from(Decision)) or 0

    before, posts = decisions(), len(channel_posts(bot))
    with ThreadPoolExecutor(max_workers=2) as pool:
        clicks = list(
            pool.map(
                lambda _: bot.slack.click(
                    team_id=TEAM,
                    user_id=ALICE,
                    action_id=ActionId.DECIDE_PIVOT,
                    value="1",
                    channel_id=CHANNEL,
                ),
                range(2),
            )
        )
    bot.settle()
    assert {c.status for c in clicks} == {200}
    assert len([v for v in bot.slack.views(user_id=ALICE) if not v.closed]) == 1

    answer = bot.slack.submit_view(
        user_id=ALICE, values=form(rationale=text("recall plateaued")), double=True
    )
    bot.settle()

    assert {d.status for d in [answer, *answer.others]} == {200}
    assert decisions() == before + 1
    assert len(channel_posts(bot)) == posts + 1
    ledger.record(
        area="redelivery",
        fault="decision button double-clicked, then its form submitted twice at once",
        tries=4,
        outcome="one open form, one decision, one channel post",
    )
