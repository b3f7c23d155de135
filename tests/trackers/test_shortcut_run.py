""" "Log as experiment" on a message holding an MLflow run link: the form comes with the link
in its run-link field, and saved with no value typed, the value is read from the real MLflow
server after the ack, judged, and the confirmation redrawn."""

from __future__ import annotations

import pytest

from storage.trackers import FetchState
from tests.conftest import ALICE, BOB, CHANNEL, TEAM
from tests.support.delivery import form, picked, text
from tests.support.slack import rendered
from tests.trackers.test_run_values import KEY, a_problem, posted, stored

pytestmark = pytest.mark.mlflow


def fields_of(view) -> dict[str, str | None]:
    return {
        b["block_id"]: b["element"].get("initial_value")
        for b in view.view["blocks"]
        if b["type"] == "input"
    }


def test_log_as_experiment_on_a_run_link_fills_the_value_from_the_run(bot, mlflow_server, clock):
    a_problem(bot, metric_key=KEY)
    run = mlflow_server.run({KEY: 0.83})
    link = mlflow_server.run_url(run)
    message = bot.slack.post_as_user(
        team_id=TEAM, user_id=BOB, channel=CHANNEL, text=f"P-1 focal loss is done: <{link}>"
    )

    opened = bot.slack.message_shortcut(
        team_id=TEAM,
        user_id=ALICE,
        channel_id=CHANNEL,
        message_ts=message.ts,
        callback_id="log_as_experiment",
    )
    bot.settle()

    assert opened.status == 200
    prefilled = fields_of(bot.slack.open_view(ALICE))
    assert prefilled["run_url"] == link and not prefilled.get("value")

    saved = bot.slack.submit_view(
        user_id=ALICE,
        values=form(problem=picked("1"), run_url=text(prefilled["run_url"])),
    )
    bot.settle()

    assert saved.status == 200 and bot.slack.open_view(ALICE) is None
    row, fetch = stored(bot)
    assert row.values == [0.83] and row.run_url == link and row.source_permalink
    assert fetch.state == FetchState.FETCHED and KEY in fetch.source
    [first] = posted(bot, "chat.postMessage")
    assert "Fetching its value from the run" in first
    [redrawn] = posted(bot, "chat.update")
    assert "Met target" in redrawn and "0.83" in redrawn
    assert f"Value from:* MLflow run {run[:12]}" in redrawn
    assert "this message" in rendered(bot.slack.calls("chat.update")[0].args)
