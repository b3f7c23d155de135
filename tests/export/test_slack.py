"""`/ritual export` through signed requests into the real app: the ack, then the file in a DM."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import time_machine
from sqlalchemy import select

from bot.export import service
from storage.outbox import OutboxMessage
from storage.types import utcnow
from tests.conftest import ALICE, CHANNEL, TEAM
from tests.support.notebook import NOW, add_experiments, seed_notebook


def ritual(bot, text: str):
    answer = bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/ritual", text=text
    )
    bot.settle()
    return answer


def seeded(bot) -> None:
    with time_machine.travel(NOW, tick=False), bot.runtime.db.transaction() as session:
        seed_notebook(session)


def dm_files(bot):
    """The files shared in Alice's DM with the bot, with their bytes."""
    shared = [m for m in bot.slack.messages(ALICE) if m.files]
    return [(m, bot.slack.file_bytes(f["id"])) for m in shared for f in m.files]


def exports(bot) -> list[tuple[str, str, str | None]]:
    with bot.runtime.db.reading() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [(r.what, r.state, r.error) for r in rows if (r.key or "").startswith("export:")]


def test_one_problems_notebook_arrives_as_a_file_in_a_dm(bot):
    seeded(bot)

    answer = ritual(bot, "export P-20")

    assert answer.status == 200 and answer.body["response_type"] == "ephemeral"
    assert "direct message" in answer.body["text"]
    [(message, content)] = dm_files(bot)
    assert message.channel.startswith("D") and message.files[0]["name"] == "P-20.md"
    notebook = content.decode()
    assert notebook.startswith("# P-20 · Fraud model misses")
    assert "### E-40 · graph embeddings: Worse" in notebook
    assert "| first-week merchants | 60 | 60% | recall at most 0.8 |" in notebook
    assert "**ship** by U0ALICE: E-41 met the target" in notebook
    [upload] = bot.slack.calls("files.completeUploadExternal")
    assert upload.args["channel_id"].startswith("D")


def test_the_whole_workspace_comes_as_a_zip_of_notebooks_csv_and_json(bot):
    seeded(bot)

    ritual(bot, "export")

    [(message, content)] = dm_files(bot)
    assert message.files[0]["name"].startswith(f"ritualbot-{TEAM}-")
    assert "pandas.read_csv" in message.text
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert "notebooks/P-20.md" in names and "csv/experiments.csv" in names
    assert "ritualbot.json" in names and not any("Mallory" in n for n in names)
    whole = zipfile.ZipFile(io.BytesIO(content)).read("ritualbot.json").decode()
    assert "Fraud model misses" in whole and "Mallory secret plan" not in whole


def test_a_large_workspace_hears_the_export_is_under_way_before_the_file(bot):
    seeded(bot)
    with bot.runtime.db.transaction() as session:
        many = service.LARGE - 15  # the seeded experiments not deleted
        add_experiments(session, team_id=TEAM, problem_number=20, first=100, count=many)

    ritual(bot, "export")

    first, second = bot.slack.messages(ALICE)
    assert first.text.startswith("Writing the export of 7 problems and 5,000 experiments")
    assert not first.files and second.files


def test_a_problem_the_workspace_does_not_have_gets_a_clear_message(bot):
    seeded(bot)

    for text, said in (
        ("export P-99", "There is no P-99 in this workspace"),
        ("export E-4", "'E-4' is not an id like P-12"),
        ("export P-1 P-2", "takes one problem id or nothing"),
    ):
        answer = ritual(bot, text)
        assert answer.body["response_type"] == "ephemeral"
        assert said in answer.body["text"], text
    assert bot.slack.calls("files.getUploadURLExternal") == []
    assert exports(bot) == []


def test_an_upload_slack_fails_is_tried_again_and_arrives(bot):
    seeded(bot)
    bot.slack.inject("files.getUploadURLExternal", error="fatal_error")

    ritual(bot, "export P-20")

    assert dm_files(bot) == []
    assert exports(bot) == [("P-20's notebook", "pending", "fatal_error")]
    with time_machine.travel(utcnow() + timedelta(minutes=1), tick=False):
        bot.runtime.sender.send()
    assert exports(bot) == [("P-20's notebook", "sent", None)]
    [(_, content)] = dm_files(bot)
    assert content.decode().startswith("# P-20 · ")
