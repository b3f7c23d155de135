"""The database going away under load (PostgreSQL behind a cut TCP proxy; SQLite held by
another process's lock), and the process killed with SIGKILL while storing submissions."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from storage.db import Database
from storage.problems import Problem
from tests.conftest import SIGNING_SECRET, TEAM
from tests.reliability.conftest import DB_PASSWORD, SECRETS, make_bot, stop_bot
from tests.support import ledger
from tests.support.proxy import CuttableProxy
from tests.support.signed import command_body, form, post, post_payload, submission_payload, text

ROOT = Path(__file__).resolve().parents[2]
TRY_AGAIN = "couldn't reach the database"
UNCONFIRMED = "can't tell whether that was saved"


@contextmanager
def outage_switch(database_url: str) -> Iterator[tuple[str, object, object]]:
    """(the URL the app should use, cut(), restore()) for this engine's kind of outage."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        holder = sqlite3.connect(url.database, timeout=5, isolation_level=None)

        def cut() -> None:  # another process (a backup, a migration) holds the only writer
            holder.execute("BEGIN EXCLUSIVE")

        def restore() -> None:
            holder.execute("COMMIT")

        yield database_url, cut, restore
        holder.close()
        return
    proxy = CuttableProxy((url.host or "127.0.0.1", url.port or 5432))
    via = url.set(host="127.0.0.1", port=proxy.port, password=DB_PASSWORD)
    yield via.render_as_string(hide_password=False), proxy.cut, proxy.restore
    proxy.close()


def test_a_database_outage_under_load_answers_try_again_and_loses_nothing(emulator, database_url):
    with outage_switch(database_url) as (via, cut, restore):
        made = make_bot(emulator, via, production_executor=True)
        answers: list[tuple[str, int, str]] = []
        stop = threading.Event()
        lock = threading.Lock()

        def load(worker: int) -> None:
            n = 0
            while not stop.is_set():
                n += 1
                title = f"Outage w{worker} n{n}"
                body = command_body(emulator, text=title)
                try:
                    answer = post(f"{made.url}/slack/events", body)
                    result = (title, answer.status_code, answer.text)
                except httpx.HTTPError as error:  # past Slack's 3 s, or a broken answer
                    result = (title, 0, type(error).__name__)
                with lock:
                    answers.append(result)
                time.sleep(0.05)

        threads = [threading.Thread(target=load, args=(w,)) for w in range(4)]
        for thread in threads:
            thread.start()
        try:
            time.sleep(1.0)
            cut()
            time.sleep(3.5)
            with lock:
                during = len(answers)
            restore()
            time.sleep(3.0)
        finally:
            stop.set()
            for thread in threads:
                thread.join()
        emulator.wait_for(lambda: not made.executor._pending, timeout=15)
        stop_bot(made)

    assert [a for a in answers if a[1] != 200] == []
    captured = [title for title, _, body in answers if "Captured *P-" in body]
    refused = [title for title, _, body in answers if TRY_AGAIN in body]
    # The connection cut while PostgreSQL commits: stored or not, the answer must not guess.
    unconfirmed = [title for title, _, body in answers if UNCONFIRMED in body]
    assert len(captured) + len(refused) + len(unconfirmed) == len(answers)
    assert refused, "the outage was never seen"
    assert captured[-1] == answers[-1][0], "the app did not recover by itself"
    db = Database.from_url(database_url)
    with db.transaction() as session:
        titles = list(session.scalars(select(Problem.title).where(Problem.team_id == TEAM)))
    db.dispose()
    assert set(captured) <= set(titles)
    assert set(titles) - set(captured) <= set(unconfirmed), "told 'nothing saved', yet saved"
    assert len(titles) == len(set(titles))
    kind = (
        "SQLite writer held by another process"
        if "sqlite" in database_url
        else ("PostgreSQL cut off (TCP proxy) and back")
    )
    ledger.record(
        area="database",
        fault=f"{kind} for 3.5 s under load (4 clients)",
        tries=len(answers),
        outcome=f"all 200 within 3 s: {len(captured)} captured, {len(refused)} 'try again', "
        f"{len(unconfirmed)} 'can't tell, look first' ({during} sent before the database came "
        "back); recovered without restart",
        lost=len(set(captured) - set(titles)),
    )


def test_a_commit_cut_off_says_it_cannot_tell_rather_than_nothing_was_saved(bot):
    """The connection can break after COMMIT was sent and before its answer came back; the
    change may then be stored. "Nothing was saved; try again" would invite a duplicate."""

    def lose_the_answer(connection) -> None:  # the database commits; its reply is lost
        connection.connection.dbapi_connection.commit()
        raise OperationalError("COMMIT", {}, ConnectionResetError("server closed the connection"))

    event.listen(bot.runtime.db.engine, "commit", lose_the_answer)
    try:
        answer = post(f"{bot.url}/slack/events", command_body(bot.slack, text="Fraud flags"))
    finally:
        event.remove(bot.runtime.db.engine, "commit", lose_the_answer)
    shown = answer.json()["text"]
    assert UNCONFIRMED in shown and "Look for it" in shown
    assert "nothing was saved" not in shown.lower()

    with bot.runtime.db.reading() as session:
        titles = session.scalars(select(Problem.title).where(Problem.team_id == TEAM))
        assert list(titles) == ["Fraud flags"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def served(emulator, database_url: str, log: Path) -> Iterator[subprocess.Popen]:
    """`ritualbot run` (gunicorn) as its own process group, sharing the test's database."""
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PORT": str(port),
        "SLACK_BOT_TOKEN": emulator.workspace(TEAM).bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": emulator.api_url,
        "DATABASE_URL": database_url,
    }
    with open(log, "ab") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "runtime.cli", "run"],
            cwd=ROOT,
            env=env,
            stdout=errors,
            stderr=errors,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert process.poll() is None and time.monotonic() < deadline, log.read_text()[-2000:]
        time.sleep(0.1)
    emulator.app_url = f"{url}/slack/events"
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)


def per_view(database_url: str) -> dict[str, int]:
    db = Database.from_url(database_url)
    with db.transaction() as session:
        rows = session.execute(
            select(Problem.source_key, func.count()).group_by(Problem.source_key)
        ).all()
    db.dispose()
    return {key: n for key, n in rows}


def test_sigkill_while_storing_submissions_keeps_every_acknowledged_one_once(
    emulator, db, database_url, tmp_path
):
    log = tmp_path / "server.log"
    submissions = [
        submission_payload(emulator, values=form(title=text(f"Killed mid-save {i}")))
        for i in range(60)
    ]
    acked: set[str] = set()
    lock = threading.Lock()
    with served(emulator, database_url, log) as server:
        url = emulator.app_url

        def send(payload) -> None:
            try:
                answer = post_payload(url, payload)
            except httpx.HTTPError:
                return
            # Saved: the form closes, or is replaced by the "saved, tried before" view.
            saved = not answer.content or answer.json().get("response_action") == "update"
            if answer.status_code == 200 and saved:
                with lock:
                    acked.add(payload["view"]["id"])
                    if len(acked) == 20:
                        os.killpg(server.pid, signal.SIGKILL)

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(send, submissions))
        server.wait(timeout=10)
        assert server.returncode == -signal.SIGKILL

    stored = per_view(database_url)
    assert 20 <= len(acked) < len(submissions), "the kill did not land mid-run"
    assert all(stored.get(f"view:{view}") == 1 for view in acked)
    assert all(n == 1 for n in stored.values())

    # People submit again what Slack showed them as failed (and some what had worked).
    with served(emulator, database_url, log):
        again = [post_payload(emulator.app_url, p).status_code for p in submissions]
    after = per_view(database_url)
    assert again == [200] * len(submissions)
    assert len(after) == len(submissions) and set(after.values()) == {1}

    server_log = log.read_text()
    assert not [s for s in SECRETS if s in server_log], "a secret reached the server's log"
    ledger.record(
        area="process",
        fault="SIGKILL of the gunicorn group mid-way through 60 concurrent modal saves",
        tries=len(submissions),
        outcome=f"{len(acked)} acknowledged before the kill, each stored once; after restart "
        "all 60 resubmitted: 60 problems, none twice; no secret in the server's stderr",
        lost=sum(1 for view in acked if f"view:{view}" not in stored),
    )
