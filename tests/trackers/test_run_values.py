"""`/experiment P-1 <MLflow run link> <note>`: logged at once, "fetching", then the value read
from a real MLflow server after the ack, judged as if typed, and the confirmation redrawn;
a tracker that does not answer is tried again by the clock, and its author told once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from runtime.clock import RitualScheduler
from storage.experiments import Experiment, Outcome
from storage.problems import Problem
from storage.trackers import FetchState, RunFetch
from tests.conftest import ALICE, CHANNEL, TEAM
from tests.support.delivery import command, form, picked, text
from tests.support.proxy import CuttableProxy
from tests.support.records import Seed
from tests.support.slack import rendered
from tests.trackers.conftest import START

pytestmark = pytest.mark.mlflow
KEY = "val/recall_at_10"


def a_problem(bot, **fields) -> None:
    Seed(bot).problem(
        "Recall on rare classes",
        metric_name="recall",
        baseline=0.70,
        target=0.80,
        channel_id=CHANNEL,
        **fields,
    )


def experiment(bot, text: str):
    answer = bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/experiment", text=text
    )
    bot.settle()
    assert answer.status == 200
    return answer


def told(bot) -> str:
    return " ".join(rendered(r.body) for r in bot.slack.responses)


def stored(bot) -> tuple[Experiment, RunFetch]:
    with bot.runtime.db.reading() as session:
        row = session.scalars(select(Experiment)).one()
        fetch = session.scalars(select(RunFetch)).one()
        session.expunge_all()
    return row, fetch


def posted(bot, method: str) -> list[str]:
    return [rendered(c.args) for c in bot.slack.calls(method)]


def test_a_pasted_run_fills_its_value_judged_and_says_where_it_came_from(bot, mlflow_server, clock):
    a_problem(bot)
    run = mlflow_server.run({KEY: 0.83, "train/loss": 0.21}, params={"loss": "focal"})
    key_set = bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/problem",
        text=f"P-1 metric-key {KEY}",
    )  # fmt: skip
    assert KEY in rendered(key_set.body)

    experiment(bot, f"P-1 {mlflow_server.run_url(run)} tried focal loss")

    row, fetch = stored(bot)
    assert row.values == [0.83] and row.outcome == Outcome.MET_TARGET
    assert row.notes == "tried focal loss" and row.run_url == mlflow_server.run_url(run)
    assert fetch.state == FetchState.FETCHED and KEY in fetch.source
    [first] = posted(bot, "chat.postMessage")
    assert "Fetching its value from the run" in first
    [redrawn] = posted(bot, "chat.update")
    assert "Met target" in redrawn and "0.83" in redrawn
    assert f"Value from:* MLflow run {run[:12]}" in redrawn and KEY in redrawn


def test_without_a_key_the_metric_name_or_the_runs_only_metric_is_read(bot, mlflow_server, clock):
    a_problem(bot)
    only = mlflow_server.run({"f1": 0.65})
    named = mlflow_server.run({"recall": 0.74, "precision": 0.5})

    experiment(bot, f"P-1 {mlflow_server.run_url(only)} one metric")
    experiment(bot, f"P-1 {mlflow_server.run_url(named)} named like the problem's")

    with bot.runtime.db.reading() as session:
        values = dict(session.execute(select(Experiment.number, Experiment.value)).all())
    assert values == {1: 0.65, 2: 0.74}


def test_a_runs_card_names_the_params_it_changed_from_the_best_run_so_far(
    bot, mlflow_server, clock
):
    a_problem(bot, metric_key=KEY)
    first = mlflow_server.run({KEY: 0.74}, params={"lr": "0.01", "loss": "ce", "seed": "1"})
    worse = mlflow_server.run({KEY: 0.71}, params={"lr": "0.1", "loss": "ce", "seed": "1"})
    focal = mlflow_server.run(
        {KEY: 0.76}, params={"lr": "0.003", "loss": "focal", "seed": "1", "gamma": "2"}
    )
    experiment(bot, f"P-1 {mlflow_server.run_url(first)} baseline recipe")
    experiment(bot, f"P-1 {mlflow_server.run_url(worse)} higher lr")
    experiment(bot, f"P-1 {mlflow_server.run_url(focal)} focal loss")

    first_card, worse_card, focal_card = posted(bot, "chat.update")
    assert "Params:" not in first_card  # nothing to compare with yet
    assert "Params:* vs E-1 (best so far): `lr` 0.01 → 0.1" in worse_card
    # Compared with E-1, the best so far (E-2 did worse), not with the last run logged.
    assert (
        "Params:* vs E-1 (best so far): `gamma` (unset) → 2, `loss` ce → focal, `lr` 0.01 → 0.003"
    ) in focal_card
    assert "`seed`" not in focal_card


def test_a_rerun_with_the_same_params_says_so(bot, mlflow_server, clock):
    a_problem(bot, metric_key=KEY)
    recipe = {"lr": "0.01", "loss": "focal"}
    first = mlflow_server.run({KEY: 0.74}, params=recipe)
    again = mlflow_server.run({KEY: 0.75}, params=recipe)
    experiment(bot, f"P-1 {mlflow_server.run_url(first)} recipe")
    experiment(bot, f"P-1 {mlflow_server.run_url(again)} same recipe, new seed")

    [_, rerun] = posted(bot, "chat.update")
    assert "Params:* same params as E-1 (best so far)" in rerun


def test_params_typed_by_anyone_into_a_run_never_ping_the_channel(bot, mlflow_server, clock):
    a_problem(bot, metric_key=KEY)
    first = mlflow_server.run({KEY: 0.74}, params={"note": "plain"})
    loud = mlflow_server.run({KEY: 0.75}, params={"note": "<!channel> look"})
    experiment(bot, f"P-1 {mlflow_server.run_url(first)} one")
    experiment(bot, f"P-1 {mlflow_server.run_url(loud)} two")

    with bot.runtime.db.reading() as session:
        changed = session.scalars(select(RunFetch.params_changed)).all()
    assert "vs E-1 (best so far): `note` plain → <!channel> look" in changed  # stored raw
    [_, card] = [c.args for c in bot.slack.calls("chat.update")]
    assert "<!channel>" not in str(card) and "&lt;!channel&gt; look" in str(card)


def test_a_run_without_the_problems_metric_says_which_keys_it_has(bot, mlflow_server, clock):
    a_problem(bot, metric_key=KEY)
    run = mlflow_server.run({"val/precision": 0.5, "val/f1": 0.6})

    experiment(bot, f"P-1 {mlflow_server.run_url(run)} wrong key")

    row, fetch = stored(bot)
    assert row.value is None and fetch.state == FetchState.FAILED
    assert f"no metric `{KEY}`" in told(bot) and "`val/f1`, `val/precision`" in told(bot)
    assert "/problem P-1 metric-key" in told(bot)
    assert "Value not read" in posted(bot, "chat.update")[-1]


def test_a_run_the_server_does_not_have_is_told_at_once(bot, mlflow_server, clock):
    a_problem(bot, metric_key=KEY)
    missing = "0123456789abcdef0123456789abcdef"

    experiment(bot, f"P-1 {mlflow_server.run_url(missing)} a typo in the link")

    _, fetch = stored(bot)
    assert fetch.state == FetchState.FAILED and fetch.author_told
    assert f"has no run {missing}" in told(bot) and "check the run's link" in told(bot)


def test_a_tracker_down_is_tried_again_by_the_clock_and_the_author_told_once_after_a_day(
    bot, mlflow_server, clock
):
    a_problem(bot, metric_key=KEY)
    run = mlflow_server.run({KEY: 0.75})
    host, port = mlflow_server.url.removeprefix("http://").split(":")
    proxy = CuttableProxy((host, int(port)))
    proxy.cut()
    url = f"http://127.0.0.1:{proxy.port}/#/experiments/1/runs/{run}"
    scheduler = RitualScheduler(
        db=bot.runtime.db, client_factory=lambda _team: bot.runtime.sender.client_for(TEAM),
        now=clock, secrets=None,
    )  # fmt: skip
    try:
        experiment(bot, f"P-1 {url} tracker down")

        row, fetch = stored(bot)
        assert row.value is None and row.outcome == Outcome.UNJUDGED
        assert fetch.state == FetchState.FETCHING
        assert "Could not reach MLflow" in told(bot) and "try again" in told(bot)

        for hours in (1, 12, 25, 26):
            clock.now = START + timedelta(hours=hours)
            scheduler.read_runs()
        dms = [c for c in bot.slack.calls("chat.postMessage") if c.args["channel"] == ALICE]
        assert len(dms) == 1 and "couldn't read the value of E-1" in rendered(dms[0].args)
        assert "Could not reach MLflow" in rendered(dms[0].args)

        proxy.restore()
        clock.now = START + timedelta(hours=28)
        scheduler.read_runs()
        row, fetch = stored(bot)
        assert row.value == 0.75 and row.outcome == Outcome.IMPROVED
        assert fetch.state == FetchState.FETCHED
        assert "Value from:* MLflow run" in posted(bot, "chat.update")[-1]
    finally:
        proxy.close()


def test_a_problem_metric_key_is_set_only_by_who_may_change_it(bot, clock):
    a_problem(bot)
    answer = bot.slack.slash_command(
        team_id=TEAM, user_id="U0BOB", channel_id=CHANNEL, command="/problem",
        text="P-1 metric-key val/f1",
    )  # fmt: skip
    assert "can't set the metric key of P-1" in rendered(answer.body)
    with bot.runtime.db.reading() as session:
        assert session.scalars(select(Problem.metric_key)).one() is None


def test_the_forms_run_link_with_no_value_is_read_from_the_run(bot, mlflow_server, clock):
    a_problem(bot, metric_key=KEY)
    run = mlflow_server.run({KEY: 0.66})
    command(bot, "/experiment", "P-1")
    fields = {"problem": picked("1"), "run_url": text(mlflow_server.run_url(run))}

    answer = bot.slack.submit_view(user_id=ALICE, values=form(**fields))
    bot.settle()

    assert answer.status == 200 and bot.slack.open_view(ALICE) is None
    row, fetch = stored(bot)
    assert row.value == 0.66 and row.outcome == Outcome.WORSE
    assert fetch.state == FetchState.FETCHED
