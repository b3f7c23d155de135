"""A watch plan that names an MLflow run: set at ship (`run=`, `key=`, or the Ship form)
or later (`/problem P-1 watch-source`), and read by the watch ritual from a real MLflow
server instead of asking; a run that can't be read falls back to the owner's DM, with why."""

from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import select

from jobs import watch as watch_job
from runtime.clock import RitualScheduler
from storage.problems import ProblemStatus
from storage.rituals import RitualRun
from storage.watch import CheckOutcome, WatchCheck, WatchPlan
from tests.conftest import ALICE, CHANNEL, TEAM
from tests.support.delivery import buttons, choice, command, decisions, form, frame, problems
from tests.support.delivery import text as typed
from tests.support.proxy import CuttableProxy
from tests.support.slack import rendered
from tests.support.standup import client_for
from tests.support.watch import SHIPPED_AT, ship, utc
from tests.trackers.conftest import ritual

KEY = "val/recall"
DUE = utc(2027, 1, 11, 10, 0)  # the first weekly check after SHIPPED_AT, at 10:00 UTC
MISSING = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def scheduler(bot, emulator) -> RitualScheduler:
    client = client_for(emulator, TEAM)
    return RitualScheduler(db=bot.runtime.db, client_factory=lambda _team: client)


def fire(bot, scheduler: RitualScheduler, at) -> None:
    with time_machine.travel(at, tick=False):
        scheduler.fire_due(at)
        scheduler.sender.sweep()
    bot.settle()


def connect(bot, url: str) -> None:
    ritual(bot, f"connect mlflow {url}")
    assert any(f"Connected MLflow at {url}" in rendered(r.body) for r in bot.slack.responses)


def plan(bot) -> WatchPlan | None:
    with bot.runtime.db.reading() as session:
        found = session.scalar(select(WatchPlan))
        session.expunge_all()
    return found


def recorded(bot) -> list[WatchCheck]:
    with bot.runtime.db.reading() as session:
        found = list(session.scalars(select(WatchCheck).order_by(WatchCheck.id)))
        session.expunge_all()
    return found


def card(bot):
    [problem] = problems(bot)
    return next(m for m in bot.slack.messages(CHANNEL) if m.ts == problem.card_ts)


def said(answer) -> str:
    return rendered(answer.body)


def dms(bot, starts: str) -> list:
    return [m for m in bot.slack.messages(ALICE) if m.text.startswith(starts)]


def test_a_ship_naming_a_run_without_mlflow_connected_says_how_and_writes_nothing(bot):
    with time_machine.travel(SHIPPED_AT, tick=False):
        frame(bot)
        answer = command(bot, "/problem", f"decide P-1 ship beats target run={MISSING}")

    assert "MLflow is not connected in this workspace" in said(answer)
    assert "/ritual connect mlflow &lt;url&gt;" in said(answer)
    assert plan(bot) is None and decisions(bot) == []
    assert problems(bot)[0].status == ProblemStatus.OPEN


def test_watch_source_on_a_problem_not_in_production_says_ship_it_first(bot):
    with time_machine.travel(SHIPPED_AT, tick=False):
        frame(bot)
        answer = command(bot, "/problem", f"P-1 watch-source {MISSING}")
        unsaid = command(bot, "/problem", "P-1 watch-source")

    assert "P-1 is not in production; ship it first" in said(answer)
    assert "/problem P-1 watch-source &lt;run id or link&gt; [key]" in said(unsaid)


@pytest.mark.mlflow
def test_a_ship_with_run_and_key_stores_the_source_and_the_card_shows_it(bot, mlflow_server):
    run = mlflow_server.run({KEY: 0.81})
    connect(bot, mlflow_server.url)

    ship(bot, SHIPPED_AT, f"alert=0.78 run={mlflow_server.run_url(run)} key={KEY}")

    stored = plan(bot)
    assert stored is not None and (stored.source_run, stored.source_key) == (run, KEY)
    assert f"read from MLflow run {run[:12]} (`{KEY}`)" in rendered(card(bot).blocks)


@pytest.mark.mlflow
def test_the_ship_form_takes_a_run_and_refuses_a_wrong_one_per_field(bot, mlflow_server):
    run = mlflow_server.run({"recall": 0.8})
    connect(bot, mlflow_server.url)
    with time_machine.travel(SHIPPED_AT, tick=False):
        frame(bot)
        bot.slack.click(
            team_id=TEAM, user_id=ALICE, action_id="decide_ship", channel_id=CHANNEL,
            message_ts=problems(bot)[0].card_ts,
        )  # fmt: skip
        bot.settle()
        fields = {
            "rationale": typed("good enough"), "value": typed("0.81"), "alert": typed("-5%"),
            "check": choice("weekly"), "retrain": typed(""), "key": typed(""),
        }  # fmt: skip
        wrong = bot.slack.submit_view(user_id=ALICE, values=form(**fields, run=typed("run-7")))
        assert "'run-7' is not an MLflow run id" in wrong.body["errors"]["run"]
        assert plan(bot) is None

        bot.slack.submit_view(user_id=ALICE, values=form(**fields, run=typed(run)))
        bot.settle()

    stored = plan(bot)
    # No key said: the problem's metric name, as no metric key is mapped.
    assert stored is not None and (stored.source_run, stored.source_key) == (run, "recall")


@pytest.mark.mlflow
def test_watch_source_sets_redraws_the_card_refuses_bad_runs_and_turns_off(bot, mlflow_server):
    run = mlflow_server.run({KEY: 0.81})
    connect(bot, mlflow_server.url)
    ship(bot, SHIPPED_AT)
    with time_machine.travel(SHIPPED_AT, tick=False):
        elsewhere = command(
            bot,
            "/problem",
            f"P-1 watch-source https://other.example.com/#/experiments/1/runs/{run}",
        )
        typo = command(bot, "/problem", "P-1 watch-source 12345 val/recall")
        bob = command(bot, "/problem", f"P-1 watch-source {run}", user="U0BOB")
        assert plan(bot).source_run is None

        answer = command(bot, "/problem", f"P-1 watch-source {run}")
        assert f"read from MLflow run {run[:12]} (`recall`)" in said(answer)
        keyed = command(bot, "/problem", f"p1 watch-source {run} {KEY}")

    assert "not on this workspace's MLflow" in said(elsewhere)
    assert "'12345' is not an MLflow run id" in said(typo)
    assert "can't" in said(bob)
    assert f"(`{KEY}`)" in said(keyed)
    assert (plan(bot).source_run, plan(bot).source_key) == (run, KEY)
    assert f"read from MLflow run {run[:12]} (`{KEY}`)" in rendered(card(bot).blocks)

    with time_machine.travel(SHIPPED_AT, tick=False):
        off = command(bot, "/problem", "P-1 watch-source off")
    assert "asked of its owner by DM again" in said(off)
    assert (plan(bot).source_run, plan(bot).source_key) == (None, None)
    assert "read from MLflow" not in rendered(card(bot).blocks)


@pytest.mark.mlflow
def test_the_ritual_reads_the_value_from_the_run_and_records_the_check(
    bot, mlflow_server, scheduler, emulator
):
    run = mlflow_server.run({KEY: 0.80})
    connect(bot, mlflow_server.url)
    ship(bot, SHIPPED_AT, f"alert=0.78 run={run} key={KEY}")

    fire(bot, scheduler, DUE)

    [check] = recorded(bot)
    assert (check.value, check.outcome, check.shifted) == (0.80, CheckOutcome.WITHIN, False)
    assert check.read_from == f"MLflow run {run[:12]} (`{KEY}`)"
    assert dms(bot, "Time to check P-1") == []
    [told] = dms(bot, "P-1 checked from MLflow")
    shown = rendered(told.blocks)
    assert (
        f"read *0.8* from MLflow run {run[:12]} (`{KEY}`)" in shown and "Within the plan" in shown
    )
    assert list(buttons(told.blocks)) == ["watch_check_open"]
    assert len(bot.slack.thread(CHANNEL, problems(bot)[0].card_ts)) == 1  # no alert

    # The runner again for the same day (a clock that died before marking it done): the
    # check is recorded and told once.
    with bot.runtime.db.reading() as session:
        [done] = session.scalars(select(RitualRun)).all()
        ritual_id, occurrence = done.ritual_id, done.occurrence
    with time_machine.travel(DUE, tick=False):
        watch_job.run(
            db=bot.runtime.db, client=client_for(emulator, TEAM), ritual_id=ritual_id,
            occurrence=occurrence, scheduled_for=DUE,
        )  # fmt: skip
        scheduler.sender.sweep()
    fire(bot, scheduler, utc(2027, 1, 11, 15, 0))
    assert len(recorded(bot)) == 1 and len(dms(bot, "P-1 checked from MLflow")) == 1

    with time_machine.travel(utc(2027, 1, 12, 9), tick=False):
        bot.slack.open_home(team_id=TEAM, user_id=ALICE)
        bot.settle()
    board = rendered(bot.slack.home(team_id=TEAM, user_id=ALICE))
    assert "*P-1* Recall on rare classes: recall 0.8 on" in board
    assert f"read from MLflow run {run[:12]} (`{KEY}`)" in board


@pytest.mark.mlflow
def test_the_runs_latest_value_past_the_threshold_alerts_in_the_thread(
    bot, mlflow_server, scheduler
):
    run = mlflow_server.run({KEY: 0.82})
    mlflow_server.client().log_metric(run, KEY, 0.74)  # the latest reading of production
    connect(bot, mlflow_server.url)
    ship(bot, SHIPPED_AT, f"alert=0.78 run={run} key={KEY}")

    fire(bot, scheduler, DUE)

    [check] = recorded(bot)
    assert (check.value, check.outcome) == (0.74, CheckOutcome.ALERT)
    [_card, alert] = bot.slack.thread(CHANNEL, problems(bot)[0].card_ts)
    shown = rendered(alert.blocks)
    assert "Watch alert on P-1" in shown and f"read *0.74* from MLflow run {run[:12]}" in shown
    assert f"Read from MLflow run {run[:12]} (`{KEY}`) on" in shown
    assert list(buttons(alert.blocks)) == ["watch_open_problem", "watch_retrain", "watch_keep"]
    [told] = dms(bot, "P-1 checked from MLflow")
    assert "An alert went to its thread" in rendered(told.blocks)


@pytest.mark.mlflow
@pytest.mark.parametrize(
    ("key", "logged", "why"),
    [
        (KEY, None, f"has no run {MISSING}"),
        ("val/<!here>", {"val/f1": 0.6}, "has no metric `val/&lt;!here&gt;` (it has `val/f1`)"),
    ],
    ids=["no-such-run", "no-such-metric"],
)
def test_a_run_that_cant_be_read_asks_the_owner_saying_why(
    bot, mlflow_server, scheduler, key, logged, why
):
    run = mlflow_server.run(logged) if logged else MISSING
    connect(bot, mlflow_server.url)
    ship(bot, SHIPPED_AT, f"alert=0.78 run={run} key={key}")

    fire(bot, scheduler, DUE)

    assert recorded(bot) == []
    [prompt] = dms(bot, "Time to check P-1")
    shown = rendered(prompt.blocks)
    assert "I couldn't read the value from MLflow run" in shown and why in shown
    assert list(buttons(prompt.blocks)) == ["watch_check_open"]


@pytest.mark.mlflow
def test_a_tracker_down_at_the_check_asks_the_owner_saying_why(bot, mlflow_server, scheduler):
    run = mlflow_server.run({KEY: 0.8})
    host, port = mlflow_server.url.removeprefix("http://").split(":")
    proxy = CuttableProxy((host, int(port)))
    try:
        connect(bot, f"http://127.0.0.1:{proxy.port}")
        ship(bot, SHIPPED_AT, f"alert=0.78 run={run} key={KEY}")
        proxy.cut()

        fire(bot, scheduler, DUE)
    finally:
        proxy.close()

    assert recorded(bot) == []
    [prompt] = dms(bot, "Time to check P-1")
    assert "Could not reach MLflow at http://127.0.0.1" in rendered(prompt.blocks)
