"""`ritualbot export` and `ritualbot import`: the team's record as files it owns, and back."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from bot.errors import UsageError
from bot.export import bundle, records, restore
from runtime.config import Settings
from storage.db import Database
from storage.types import utcnow


def _database(settings: Settings) -> Database:
    from runtime.process import open_database

    return open_database(settings, auto_migrate=False)


def export(settings: Settings, args: argparse.Namespace) -> int:
    formats = args.format or list(bundle.FORMATS)
    out = Path(args.out)
    db = _database(settings)
    try:
        with db.reading() as session:
            teams = args.team or records.teams(session)
            if not teams:
                print("ritualbot: no workspace has any problem yet; nothing to export")
                return 0
            for team_id in teams:
                written = bundle.write(
                    session,
                    team_id=team_id,
                    formats=formats,
                    exported_at=utcnow(),
                    open_text=opener(out / team_id),
                )
                print(f"ritualbot: exported {team_id}: {len(written)} file(s) in {out / team_id}")
    finally:
        db.dispose()
    return 0


def opener(root: Path) -> bundle.Opener:
    @contextmanager
    def open_text(path: str) -> Iterator[TextIO]:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("w", encoding="utf-8", newline="") as stream:
            yield stream

    return open_text


def import_(settings: Settings, args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        print(f"ritualbot: there is no file {path}; give the ritualbot.json of an export")
        return 2
    db = _database(settings)
    try:
        with path.open(encoding="utf-8") as lines, db.transaction() as session:
            done = restore.restore(
                session,
                export=restore.read(lines),
                team_id=args.team,
            )
    except UsageError as error:
        print(f"ritualbot: {error.message}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    if done.already:
        print(
            f"ritualbot: {path} is already in {done.team_id}: it holds every problem of it; nothing added"
        )
    else:
        counts = ", ".join(f"{n} {kind}" for kind, n in done.counts.items())
        print(f"ritualbot: imported into {done.team_id}: {counts}")
    return 0


def add_arguments(name: str, command: argparse.ArgumentParser) -> None:
    if name == "export":
        command.add_argument(
            "--team", action="append", metavar="T", help="only this workspace (repeatable)"
        )
        command.add_argument(
            "--format",
            action="append",
            choices=bundle.FORMATS,
            help="md notebooks, csv per record kind, json (repeatable; all three by default)",
        )
        command.add_argument(
            "--out", default="ritualbot-export", metavar="DIR", help="where to write (DIR/TEAM/…)"
        )
    elif name == "import":
        command.add_argument("file", metavar="FILE.json", help="an export's ritualbot.json")
        command.add_argument(
            "--team", metavar="T", help="restore into this workspace instead of the file's own"
        )
