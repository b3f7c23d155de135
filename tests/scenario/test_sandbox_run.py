"""`ritualbot sandbox`: a free port, the demo history, the page's first screen."""

from __future__ import annotations

import socket

import httpx
from sqlalchemy import func, select

from sandbox import demo
from sandbox.emulator import SlackEmulator
from sandbox.run import Sandbox
from storage.models import Decision, ErrorAnalysis, Experiment, Outcome, Ritual


def test_a_taken_port_moves_the_sandbox_to_the_next_free_one(database_url):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with Sandbox(port=port, database_url=database_url) as sandbox:
            assert not sandbox.url.endswith(f":{port}")
            assert httpx.get(sandbox.url).status_code == 200


def test_the_demo_has_a_board_a_history_and_rituals(database_url):
    with Sandbox(port=0, demo_data=True, database_url=database_url) as sandbox:
        page = f"{sandbox.url}/_sandbox"
        first = httpx.get(f"{page}/state").json()
        people = {u["tz"] for u in first["users"] if not u["is_bot"]}
        history = first["messages"]

        httpx.post(f"{page}/act", json={"type": "home", "user": demo.ADA})
        sandbox.emulator.wait_for(lambda: httpx.get(f"{page}/state").json()["home"])
        board = str(httpx.get(f"{page}/state").json()["home"]["blocks"])

    assert len(people) == 4
    assert first["channel"] == demo.ML_TEAM
    assert [m["text"] for m in history if m["bot"]] == [
        "P-1: Churn model misses new users",
        "P-2: Search ranking is too slow on mobile",
        "P-3: Can we auto-tag support tickets?",
    ]
    assert any(m["reply_count"] for m in history)
    for title in ("Churn model misses new users", "Can we auto-tag support tickets?"):
        assert title in board


def test_the_demo_seeds_experiments_a_failure_with_its_analysis_a_decision_and_rituals(db):
    with SlackEmulator(signing_secret="s") as emulator:
        demo.add_people(emulator)
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
    assert rituals == {"standup", "digest"}
