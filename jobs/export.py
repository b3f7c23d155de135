"""`/ritual export`'s work, after the ack: write the export, and send it as a file in a DM
through the outbox (so an upload Slack fails is tried again, not lost)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from tempfile import SpooledTemporaryFile
from typing import IO, TextIO

from bot.export import bundle, service
from bot.export.service import Size
from jobs.outbox import Sender
from storage import outbox
from storage.db import Database
from storage.outbox import Outgoing
from storage.types import utcnow

# Written to a temporary file past this, not kept in memory.
SPOOL = 4 << 20


def run(
    *,
    db: Database,
    sender: Sender,
    team_id: str,
    user_id: str,
    number: int | None,
    size: Size,
    key: str,
) -> None:
    """Write the export (P-`number`'s notebook, or the workspace's as a zip) and send it to
    `user_id`, with a word first when it is large; `key` is the request's, so a rerun queues
    nothing new."""
    if size.large:
        with db.transaction() as session:
            note = outbox.enqueue(
                session,
                Outgoing(
                    team_id=team_id,
                    what="word that the export is under way",
                    channel=user_id,
                    text=service.progress(size),
                    key=f"{key}#progress",
                ),
            )
        sender.send_now([note], team_id=team_id, person=user_id)
    with db.reading() as session, SpooledTemporaryFile(SPOOL) as spool:
        now = utcnow()
        if number is None:
            with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
                bundle.write(
                    session,
                    team_id=team_id,
                    formats=bundle.FORMATS,
                    exported_at=now,
                    open_text=_into(archive),
                )
            filename = f"ritualbot-{team_id}-{now:%Y-%m-%d}.zip"
        else:
            bundle.write(
                session,
                team_id=team_id,
                formats=("md",),
                exported_at=now,
                open_text=_alone(spool),
                number=number,
            )
            filename = f"P-{number}.md"
        spool.seek(0)
        content = spool.read()
    with db.transaction() as session:
        sent = outbox.enqueue(
            session,
            Outgoing(
                team_id=team_id,
                what=service.what(number),
                channel=user_id,
                text=service.comment(number, size),
                file=content,
                filename=filename,
                file_title=filename,
                owner=user_id,
                key=f"{key}#file",
            ),
        )
    sender.send_now([sent], team_id=team_id, person=user_id)


def _into(archive: zipfile.ZipFile) -> bundle.Opener:
    @contextmanager
    def open_text(path: str) -> Iterator[TextIO]:
        with (
            archive.open(path, "w", force_zip64=True) as entry,
            io.TextIOWrapper(entry, encoding="utf-8", newline="") as text,
        ):
            yield text

    return open_text


def _alone(spool: IO[bytes]) -> bundle.Opener:
    @contextmanager
    def open_text(_path: str) -> Iterator[TextIO]:
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        yield text
        text.flush()
        text.detach()

    return open_text
