"""`ritualbot sandbox`: a free port, the demo history, the page's first screen."""

from __future__ import annotations

import re
import socket
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import func, select

from bot.analyses import service as analyses
from bot.experiments import service as experiments
from bot.problems import service as problems
from runtime import cli
from sandbox import demo, demo_team
from sandbox.emulator import SlackEmulator
from sandbox.run import Sandbox
from storage.analyses import ErrorAnalysis
from storage.experiments import Experiment, Outcome
from storage.problems import Decision, Problem
from storage.rituals import Ritual
from tests.support.clock import a_weekday_morning
from tests.support.waiting import eventually


def test_a_taken_port_moves_the_sandbox_to_the_next_free_one(database_url):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with Sandbox(port=port, database_url=database_url) as sandbox:
            assert not sandbox.url.endswith(f":{port}")
            assert httpx.get(sandbox.url).status_code == 200


def test_the_demo_has_a_board_a_history_and_rituals(database_url):
    # At a real Friday 16:00-18:00 in London the demo's digest would be posted at start.
    start = a_weekday_morning(datetime.now(UTC))
    with Sandbox(port=0, demo_data=True, database_url=database_url, clock_start=start) as sandbox:
        page = f"{sandbox.url}/_sandbox"
        first = httpx.get(f"{page}/state").json()
        people = {u["tz"] for u in first["users"] if not u["is_bot"]}
        history = first["messages"]

        httpx.post(f"{page}/act", json={"type": "home", "user": demo_team.ADA})
        sandbox.emulator.wait_for(lambda: httpx.get(f"{page}/state").json()["home"])
        board = str(httpx.get(f"{page}/state").json()["home"]["blocks"])

    assert len(people) == 4
    assert first["channel"] == demo_team.ML_TEAM
    seeded = [m["text"] for m in history if m["bot"]]
    assert seeded == [
        "P-1: Churn model misses new users",
        "E-1 on P-1: improved (0.66)",
        "P-2: Search ranking is too slow on mobile",
        "E-2 on P-1: worse (0.58)",
        "E-3 on P-2: improved (131)",
        "E-4 on P-2: met target (112)",
        "P-3: Can we auto-tag support tickets?",
        "Decision on P-2: ship",
        "E-5 on P-1: improved (0.71)",
    ]
    failed = next(m for m in history if m["text"].startswith("E-2"))
    assert failed["reply_count"] == 3
    for title in ("Churn model misses new users", "Can we auto-tag support tickets?"):
        assert title in board


def test_the_demos_history_is_dated_back_from_the_sandbox_clock(database_url):
    start = datetime(2025, 6, 2, 7, 0, tzinfo=UTC)  # a Monday morning, far from any real today
    with Sandbox(port=0, demo_data=True, database_url=database_url, clock_start=start) as sandbox:
        said = [
            datetime.fromtimestamp(float(m.ts), UTC)
            for m in sandbox.emulator.messages(demo_team.ML_TEAM)
        ]
        with sandbox.runtime.db.transaction() as session:
            framed = list(session.scalars(select(Problem.created_at)))

    # Three weeks of work, the last of it two days before the clock's start.
    assert start - timedelta(days=23) < min(said) and max(said) < start - timedelta(days=1)
    assert all(start - timedelta(days=22) <= at < start for at in framed)


def test_the_demo_seeds_experiments_a_failure_with_its_analysis_a_decision_and_rituals(db):
    with SlackEmulator(signing_secret="s") as emulator:
        demo_team.add_people(emulator)
        demo.seed(emulator, db)
    with db.transaction() as session:
        outcomes = session.scalars(select(Experiment.outcome).order_by(Experiment.number)).all()
        analysed = session.scalar(select(ErrorAnalysis.experiment_id))
        worse = session.scalar(select(Experiment.id).where(Experiment.outcome == Outcome.WORSE))
        decisions = session.scalar(select(func.count()).select_from(Decision))
        rituals = set(session.scalars(select(Ritual.kind)).all())

    assert Outcome.WORSE in outcomes and Outcome.MET_TARGET in outcomes
    assert analysed == worse
    assert decisions == 1
    # The shipped model is watched: its owner's watch ritual asks for its checks.
    assert rituals == {"standup", "digest", "watch"}


def test_the_demo_channel_shows_the_bots_real_posts_and_the_analysis_in_its_thread(db):
    with SlackEmulator(signing_secret="s") as emulator:
        demo_team.add_people(emulator)
        demo.seed(emulator, db)
        history = emulator.messages(demo_team.ML_TEAM)
        failed = next(m for m in history if m.text.startswith("E-2 "))
        thread = emulator.thread(demo_team.ML_TEAM, failed.ts)
    with db.transaction() as session:
        e2 = experiments.get(session, team_id=demo_team.TEAM, number=2).experiment
        a1 = analyses.get(session, team_id=demo_team.TEAM, number=1)
        board = problems.get(session, team_id=demo_team.TEAM, number=2)

    # The experiment's message is the real confirmation, remembered on the record.
    assert (e2.message_channel, e2.message_ts) == (demo_team.ML_TEAM, failed.ts)
    assert "Error analysis: A-1 (in the thread)" in str(failed.blocks)
    # The analysis sits in that thread, after the team's replies, with its categories.
    assert thread[-1].ts == a1.message_ts and thread[-1].text.startswith("A-1")
    assert "fewer than 3 sessions" in str(thread[-1].blocks)
    assert [float(m.ts) for m in thread] == sorted(float(m.ts) for m in thread)
    # The ship decision put P-2 in production, and its card says so.
    assert board.status == "in_production"
    assert board.card_ts is not None


def test_fast_forwarding_the_demo_runs_its_standup_for_each_persons_morning(database_url):
    with Sandbox(port=0, demo_data=True, database_url=database_url) as sandbox:
        act = f"{sandbox.url}/_sandbox/act"
        people = [user_id for user_id, *_ in demo_team.PEOPLE]

        def prompted() -> list[str]:
            return [
                user_id
                for user_id in people
                if any("Standup time for" in m.text for m in sandbox.emulator.messages(user_id))
            ]

        # Whatever the day, within a week of rituals someone's 09:30 comes round.
        for _ in range(20):
            answer = httpx.post(act, json={"type": "advance", "user": demo_team.ADA}).json()
            assert answer["ok"], answer
            if prompted():
                break

        def threads() -> list:
            return [
                m for m in sandbox.emulator.messages(demo_team.ML_TEAM) if "Standup ·" in m.text
            ]

        # The day's thread may be on its way in the clock's other send (its sweep at start).
        eventually(threads, timeout=10)
        posted = threads()

    assert prompted(), "no one in the demo was asked for their standup"
    assert len(posted) == 1


def test_a_training_script_logs_into_the_sandbox_with_ritualbot_log(database_url, monkeypatch):
    start = a_weekday_morning(datetime.now(UTC))
    with Sandbox(port=0, demo_data=True, database_url=database_url, clock_start=start) as sandbox:
        connected = sandbox.emulator.slash_command(
            team_id=demo_team.TEAM,
            user_id=demo_team.ADA,
            channel_id=demo_team.ML_TEAM,
            command="/ritual",
            text="connect webhook",
        )
        token = re.search(r"rbk_\S+?(?=```)", connected.body["text"]).group(0)
        monkeypatch.setenv("RITUALBOT_URL", sandbox.bot_url)
        monkeypatch.setenv("RITUALBOT_TOKEN", token)

        assert cli.main(["log", "P-1", "0.72", "--note", "from the training script"]) == 0
        posted = [m.text for m in sandbox.emulator.messages(demo_team.ML_TEAM)]

    assert posted[-1].startswith("E-6 on P-1: ")
