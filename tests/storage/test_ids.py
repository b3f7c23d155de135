"""Per-workspace human ids under concurrency, on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from bot.problems import service as problems
from bot.problems.draft import ProblemDraft
from storage.problems import Problem

WRITERS, EACH = 8, 15


def capture(db, team: str, title: str, source_key: str | None = None) -> problems.Saved:
    with db.transaction() as session:
        return problems.create(
            session,
            team_id=team,
            user_id="U1",
            channel_id="C1",
            draft=ProblemDraft(title=title),
            source_key=source_key,
        )


def test_parallel_captures_get_distinct_consecutive_ids(db):
    def writer(n: int) -> list[int]:
        return [capture(db, "T1", f"w{n}-{i}").problem.number for i in range(EACH)]

    with ThreadPoolExecutor(WRITERS) as pool:
        numbers = [n for batch in pool.map(writer, range(WRITERS)) for n in batch]

    assert sorted(numbers) == list(range(1, WRITERS * EACH + 1))


def test_each_workspace_counts_from_one(db):
    capture(db, "T1", "a")
    capture(db, "T1", "b")
    assert capture(db, "T2", "c").problem.number == 1


def test_the_same_request_delivered_concurrently_stores_one_row(db):
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda _: capture(db, "T1", "dup", "view:V1"), range(6)))

    assert sum(r.created for r in results) == 1
    assert {r.problem.number for r in results} == {1}
    with db.transaction() as session:
        assert len(session.scalars(select(Problem)).all()) == 1
    assert capture(db, "T1", "next").problem.number == 2


def test_a_failed_transaction_hands_out_no_id(db):
    try:
        with db.transaction() as session:
            problems.create(
                session,
                team_id="T1",
                user_id="U1",
                channel_id=None,
                draft=ProblemDraft(title="rolled back"),
            )
            raise RuntimeError("the caller failed after the insert")
    except RuntimeError:
        pass
    assert capture(db, "T1", "kept").problem.number == 1


def test_stored_times_are_timezone_aware_utc(db):
    saved = capture(db, "T1", "when")
    with db.transaction() as session:
        row = session.scalar(select(Problem).where(Problem.team_id == "T1"))
    assert row.created_at.utcoffset().total_seconds() == 0
    assert saved.problem.created_at.tzinfo is not None


def test_an_occurrence_is_claimed_by_exactly_one_of_many_racers(db):
    from datetime import UTC, datetime, time

    from storage.queries import claim_run
    from storage.rituals import Ritual, RitualKind

    with db.transaction() as session:
        ritual = Ritual(
            team_id="T1",
            kind=RitualKind.STANDUP,
            channel_id="C1",
            local_time=time(9),
            owner_id="U1",
        )
        session.add(ritual)
        session.flush()
        ritual_id = ritual.id
    when = datetime(2026, 11, 27, 14, tzinfo=UTC)

    def racer(_: int) -> bool:
        with db.transaction() as session:
            run = claim_run(
                session,
                team_id="T1",
                ritual_id=ritual_id,
                occurrence="2026-11-27",
                scheduled_for=when,
            )
            return run is not None

    with ThreadPoolExecutor(8) as pool:
        won = list(pool.map(racer, range(8)))
    assert won.count(True) == 1
