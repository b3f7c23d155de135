"""One workspace's export as files: a notebook per problem, a CSV per record kind, the JSON.

Where the files go is the caller's (a directory, a zip): `open_text(path)` gives a text
stream to write each one to, so no file is ever whole in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TextIO

from sqlalchemy.orm import Session

from bot.export.notebook import names, notebook, problems
from bot.export.records import KINDS
from bot.export.tabular import write_csv, write_json

FORMATS = ("md", "csv", "json")
JSON_NAME = "ritualbot.json"

Opener = Callable[[str], AbstractContextManager[TextIO]]


def write(
    session: Session,
    *,
    team_id: str,
    formats: Collection[str],
    exported_at: datetime,
    open_text: Opener,
    number: int | None = None,
) -> list[str]:
    """Write the workspace's export (only P-`number`'s notebook when given); the paths written."""
    written = []
    if "md" in formats:
        people = names(session, team_id=team_id)
        for problem in problems(session, team_id=team_id, number=number):
            path = f"notebooks/{problem.ref}.md"
            with open_text(path) as out:
                for chunk in notebook(session, problem, people=people):
                    out.write(chunk)
            written.append(path)
    if number is not None:
        return written
    if "csv" in formats:
        for kind in KINDS:
            path = f"csv/{kind.name}.csv"
            with open_text(path) as out:
                write_csv(session, kind, team_id=team_id, out=out)
            written.append(path)
    if "json" in formats:
        with open_text(JSON_NAME) as out:
            write_json(session, team_id=team_id, exported_at=exported_at, out=out)
        written.append(JSON_NAME)
    return written
