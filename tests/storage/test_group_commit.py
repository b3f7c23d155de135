"""Quick captures stored together (Database.together), on SQLite and PostgreSQL.

Each test holds the first group open until the rest of the captures are queued behind it,
so the second group is a real burst whatever the machine's speed.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from bot import problems
from bot.errors import ValidationFailed
from storage.db import Database
from storage.models import Problem, Workspace

BURST = 12


def new(
    title: str, key: str | None = None, team: str = "T1", user: str = "U1", channel: str = "C1"
) -> problems.NewProblem:
    return problems.NewProblem(
        team_id=team,
        user_id=user,
        channel_id=channel,
        draft=problems.ProblemDraft(title=title),
        source_key=key,
        card_to=channel,
    )


def burst(db: Database, items: list, run=problems.create_many) -> tuple[list[object], list[int]]:
    """Store `items` (each a NewProblem, or a (run, NewProblem) pair) with `run` from one
    thread each, all queued behind one held group; what each caller got (a Saved or the
    error it raised) and the sizes of the groups that `run` ran."""
    sizes: list[int] = []
    opened, release = threading.Event(), threading.Event()

    def store(session, batch):
        sizes.append(len(batch))
        if len(sizes) == 1:
            opened.set()
            release.wait(10)
        return run(session, batch)

    def one(item):
        own, item = item if isinstance(item, tuple) else (store, item)
        try:
            return db.together(own, item)
        except Exception as error:
            return error

    with ThreadPoolExecutor(len(items) + 1) as pool:
        # The first group keeps the writer until the burst is queued behind it.
        first = pool.submit(db.together, store, new("holds the writer", team="T0"))
        assert opened.wait(10)
        outcomes = [pool.submit(one, item) for item in items]
        for _ in range(1000):  # until every caller waits (the queue is the Database's own)
            if len(db._waiting) == len(items):
                break
            threading.Event().wait(0.01)
        release.set()
        first.result(10)
        return [o.result(10) for o in outcomes], sizes


def stored(db: Database, team: str = "T1") -> list[tuple[int, str]]:
    with db.reading() as session:
        rows = session.execute(
            select(Problem.number, Problem.title)
            .where(Problem.team_id == team)
            .order_by(Problem.number)
        )
        return [tuple(row) for row in rows]


def test_a_burst_is_stored_in_one_group_with_consecutive_ids(db):
    outcomes, sizes = burst(db, [new(f"capture {i}", f"command:{i}") for i in range(BURST)])

    assert sizes == [1, BURST]
    assert sorted(o.problem.number for o in outcomes) == list(range(1, BURST + 1))
    assert all(o.created for o in outcomes)
    # Each caller gets its own problem back, stored under the number it was told.
    assert {(o.problem.number, o.problem.title) for o in outcomes} == set(stored(db))


def test_a_retried_delivery_inside_a_burst_stores_one_problem_and_skips_no_id(db):
    items = [new(f"capture {i}", f"command:{i}") for i in range(BURST)]
    items.insert(5, new("capture 2", "command:2"))  # Slack's retry of the third one

    outcomes, _ = burst(db, items)

    assert [n for n, _ in stored(db)] == list(range(1, BURST + 1))
    assert outcomes[2].problem.number == outcomes[5].problem.number
    assert sorted([outcomes[2].created, outcomes[5].created]) == [False, True]


def test_a_capture_stored_earlier_and_delivered_again_in_a_burst_is_not_stored_twice(db):
    db.together(problems.create_many, new("first try", "command:again"))

    outcomes, _ = burst(db, [new("other", "command:o"), new("first try", "command:again")])

    assert outcomes[1].created is False and outcomes[1].problem.number == 1
    assert stored(db) == [(1, "first try"), (2, "other")]


def test_a_bad_capture_is_refused_before_it_joins_a_group():
    with pytest.raises(ValidationFailed) as refused:
        new("x" * (problems.TITLE_MAX + 1), "command:long")

    assert "title" in refused.value.errors


def test_a_capture_that_fails_in_its_group_fails_only_its_own_caller(db):
    items = [new(f"capture {i}", f"command:{i}") for i in range(4)]
    items.insert(2, new("unlucky", "command:unlucky"))

    def unlucky(session, batch):
        if any(one.source_key == "command:unlucky" for one in batch):
            raise ValueError("this one cannot be stored")
        return problems.create_many(session, batch)

    outcomes, sizes = burst(db, items, run=unlucky)

    # Tried as one group, then each capture alone.
    assert sizes == [1, len(items)] + [1] * len(items)
    assert isinstance(outcomes[2], ValueError)
    # The group was rolled back and the rest stored alone: no number skipped or given twice.
    assert [n for n, _ in stored(db)] == [1, 2, 3, 4]
    assert all(not isinstance(o, Exception) for i, o in enumerate(outcomes) if i != 2)


def test_a_database_that_fails_fails_every_waiting_capture_at_once(db):
    tried: list[int] = []
    trying, answer = threading.Event(), threading.Event()

    def down(session, batch):
        tried.append(len(batch))
        trying.set()
        answer.wait(10)  # the database takes its time to fail, while captures queue
        raise OperationalError("INSERT", {}, Exception("server closed the connection"))

    with ThreadPoolExecutor(6) as pool:
        first = pool.submit(db.together, down, new("c0"))
        assert trying.wait(10)
        rest = [pool.submit(db.together, down, new(f"c{i}")) for i in range(1, 6)]
        for _ in range(1000):  # until all five wait (the queue is the Database's own)
            if len(db._waiting) == 5:
                break
            threading.Event().wait(0.01)
        answer.set()
        errors = [f.exception(10) for f in [first, *rest]]

    assert all(isinstance(e, OperationalError) for e in errors)
    # Not tried again one by one: each would wait for the database in turn, past Slack's 3 s.
    assert tried == [1]
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Problem)) == 0


def test_many_threads_capturing_at_once_get_distinct_consecutive_ids(db):
    writers = 8

    def writer(n: int) -> list[int]:
        return [
            db.together(problems.create_many, new(f"w{n}-{i}", f"k{n}-{i}")).problem.number
            for i in range(15)
        ]

    with ThreadPoolExecutor(writers) as pool:
        numbers = [n for batch in pool.map(writer, range(writers)) for n in batch]

    assert sorted(numbers) == list(range(1, writers * 15 + 1))
    assert [n for n, _ in stored(db)] == sorted(numbers)


def test_a_burst_from_two_workspaces_numbers_each_from_one(db):
    items = [
        new(f"{team} {i}", f"command:{team}{i}", team=team)
        for i in range(4)
        for team in ("T2", "T1")
    ]

    outcomes, sizes = burst(db, items)

    assert sizes == [1, len(items)]
    for team in ("T1", "T2"):
        mine = [o.problem for o in outcomes if o.problem.team_id == team]
        assert sorted(p.number for p in mine) == [1, 2, 3, 4]
        assert {(p.number, p.title) for p in mine} == set(stored(db, team))
    with db.reading() as session:
        # A workspace's first problems also give it its row.
        assert set(session.scalars(select(Workspace.team_id))) == {"T0", "T1", "T2"}


def test_a_group_shares_one_run_and_the_others_wait_for_their_own(db):
    groups: list[tuple[str, int]] = []

    def named(name):
        def run(session, batch):
            groups.append((name, len(batch)))
            return problems.create_many(session, batch)

        return run

    first, second = named("first"), named("second")
    items = [(first if i % 2 else second, new(f"capture {i}", f"command:{i}")) for i in range(6)]

    outcomes, sizes = burst(db, items)

    assert sizes == [1]  # the group that held the writer, alone with its own run
    # Whichever queued first leads; each run's captures go in one group of their own.
    assert sorted(groups) == [("first", 3), ("second", 3)]
    assert sorted(o.problem.number for o in outcomes) == list(range(1, 7))


def test_a_burst_from_different_people_and_channels_keeps_each_ones_own(db):
    people = [("U1", "C1"), ("U2", "C1"), ("U1", "C2"), ("U3", "C3")]
    items = [
        new(f"{user} in {channel}", f"command:{i}", user=user, channel=channel)
        for i, (user, channel) in enumerate(people)
    ]

    outcomes, sizes = burst(db, items)

    assert sizes == [1, len(items)]
    assert [o.problem.created_by for o in outcomes] == [user for user, _ in people]
    with db.reading() as session:
        rows = session.execute(
            select(
                Problem.title,
                Problem.created_by,
                Problem.owner_id,
                Problem.channel_id,
                Problem.card_channel,
                Problem.statement,
            ).where(Problem.team_id == "T1")
        ).all()
    assert sorted(rows) == sorted(
        (f"{user} in {channel}", user, user, channel, channel, None) for user, channel in people
    )


def test_two_processes_capturing_in_two_workspaces_at_once_never_share_a_number(db, database_url):
    # A second Database on the same database is what a second gunicorn worker has.
    other = Database.from_url(database_url)
    teams = ("T1", "T2")

    def writer(n: int) -> list[tuple[str, int]]:
        database = other if n % 2 else db
        return [
            (
                team,
                database.together(
                    problems.create_many, new(f"{n}-{i}", f"k{n}{team}{i}", team=team)
                ).problem.number,
            )
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
