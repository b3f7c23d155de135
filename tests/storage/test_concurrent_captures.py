"""Quick captures stored at the same moment, each in its own transaction, on SQLite and
PostgreSQL: every capture gets its own number, per workspace, and a retried Slack request
is stored once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from bot.errors import ValidationFailed
from bot.problems import service as problems
from bot.problems.draft import TITLE_MAX, ProblemDraft
from storage.db import Database
from storage.models import Workspace
from storage.problems import Problem


def capture(
    db: Database,
    title: str,
    key: str | None = None,
    team: str = "T1",
    user: str = "U1",
    channel: str = "C1",
) -> problems.Saved:
    with db.transaction() as session:
        return problems.create(
            session,
            team_id=team,
            user_id=user,
            channel_id=channel,
            draft=ProblemDraft(title=title),
            source_key=key,
        )


def at_once(db: Database, captures: list[dict]) -> list[problems.Saved]:
    """Each capture (capture()'s keywords) from its own thread, all let go together."""
    start = threading.Barrier(len(captures))

    def one(kwargs: dict) -> problems.Saved:
        start.wait(10)
        return capture(db, **kwargs)

    with ThreadPoolExecutor(len(captures)) as pool:
        return list(pool.map(one, captures))


def stored(db: Database, team: str = "T1") -> list[tuple[int, str]]:
    with db.reading() as session:
        rows = session.execute(
            select(Problem.number, Problem.title)
            .where(Problem.team_id == team)
            .order_by(Problem.number)
        )
        return [tuple(row) for row in rows]


def test_a_retried_delivery_among_captures_at_once_stores_one_problem_and_skips_no_id(db):
    items = [{"title": f"capture {i}", "key": f"command:{i}"} for i in range(8)]
    items.insert(5, {"title": "capture 2", "key": "command:2"})  # Slack's retry of the third

    outcomes = at_once(db, items)

    assert [n for n, _ in stored(db)] == list(range(1, 9))
    assert outcomes[2].problem.number == outcomes[5].problem.number
    assert sorted([outcomes[2].created, outcomes[5].created]) == [False, True]


def test_a_capture_stored_earlier_and_delivered_again_is_not_stored_twice(db):
    capture(db, "first try", "command:again")
    capture(db, "other", "command:o")

    again = capture(db, "first try", "command:again")

    assert again.created is False and again.problem.number == 1
    assert stored(db) == [(1, "first try"), (2, "other")]
    # The retry gave its number back: the next capture takes the next one.
    assert capture(db, "next", "command:n").problem.number == 3


def test_a_bad_capture_is_refused_and_stores_nothing(db):
    with pytest.raises(ValidationFailed) as refused:
        capture(db, "x" * (TITLE_MAX + 1), "command:long")

    assert "title" in refused.value.errors
    assert stored(db) == []


def test_many_threads_capturing_at_once_get_distinct_consecutive_ids(db):
    writers = 8

    def writer(n: int) -> list[int]:
        return [capture(db, f"w{n}-{i}", f"k{n}-{i}").problem.number for i in range(15)]

    with ThreadPoolExecutor(writers) as pool:
        numbers = [n for batch in pool.map(writer, range(writers)) for n in batch]

    assert sorted(numbers) == list(range(1, writers * 15 + 1))
    assert [n for n, _ in stored(db)] == sorted(numbers)


def test_captures_from_two_workspaces_at_once_number_each_from_one(db):
    items = [
        {"title": f"{team} {i}", "key": f"command:{team}{i}", "team": team}
        for i in range(4)
        for team in ("T2", "T1")
    ]

    outcomes = at_once(db, items)

    for team in ("T1", "T2"):
        mine = [o.problem for o in outcomes if o.problem.team_id == team]
        assert sorted(p.number for p in mine) == [1, 2, 3, 4]
        assert {(p.number, p.title) for p in mine} == set(stored(db, team))
    with db.reading() as session:
        # A workspace's first problem also gives it its row.
        assert set(session.scalars(select(Workspace.team_id))) == {"T1", "T2"}


def test_captures_at_once_from_different_people_and_channels_keep_each_ones_own(db):
    people = [("U1", "C1"), ("U2", "C1"), ("U1", "C2"), ("U3", "C3")]
    items = [
        {"title": f"{user} in {channel}", "key": f"command:{i}", "user": user, "channel": channel}
        for i, (user, channel) in enumerate(people)
    ]

    outcomes = at_once(db, items)

    assert [o.problem.created_by for o in outcomes] == [user for user, _ in people]
    with db.reading() as session:
        rows = session.execute(
            select(
                Problem.title,
                Problem.created_by,
                Problem.owner_id,
                Problem.channel_id,
                Problem.statement,
            ).where(Problem.team_id == "T1")
        ).all()
    assert sorted(rows) == sorted(
        (f"{user} in {channel}", user, user, channel, None) for user, channel in people
    )


def test_two_processes_capturing_in_two_workspaces_at_once_never_share_a_number(db, database_url):
    # A second Database on the same database is what a second gunicorn worker has.
    other = Database.from_url(database_url)
    teams = ("T1", "T2")

    def writer(n: int) -> list[tuple[str, int]]:
        database = other if n % 2 else db
        return [
            (team, capture(database, f"{n}-{i}", f"k{n}{team}{i}", team=team).problem.number)
            for i in range(10)
            for team in teams
        ]

    try:
        with ThreadPoolExecutor(8) as pool:
            numbers = [pair for batch in pool.map(writer, range(8)) for pair in batch]
    finally:
        other.dispose()

    for team in teams:
        assert sorted(n for t, n in numbers if t == team) == list(range(1, 81))
        assert [n for n, _ in stored(db, team)] == list(range(1, 81))
