"""Rows per record kind as CSV (one file per kind) and as one JSON document, for pandas.

The JSON holds one record per line, so a restore reads it a line at a time:

    {"format": "ritualbot export", "version": 1, "team_id": "T1", "exported_at": "…",
    "problems": [
    {"number": 1, "title": "…", …},
    {"number": 2, …}
    ],
    "experiments": [
    …
    ]}

In pandas: `pandas.DataFrame(json.load(f)["experiments"])`, or `pandas.read_csv` of a CSV.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy.orm import Session

from bot.export.records import KINDS, Kind, lines, rows

FORMAT = "ritualbot export"
VERSION = 1


def write_csv(session: Session, kind: Kind, *, team_id: str, out: TextIO) -> None:
    """The workspace's rows of `kind` as CSV with a header; lists and mappings as JSON."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(kind.fields)
    writer.writerows(
        [_cell(value) for value in values] for values in lines(session, kind, team_id=team_id)
    )


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def write_json(session: Session, *, team_id: str, exported_at: datetime, out: TextIO) -> None:
    """The workspace's records of every kind as one JSON document, one record a line."""
    header = {"format": FORMAT, "version": VERSION, "team_id": team_id}
    header["exported_at"] = exported_at.isoformat()
    out.write(_line(header)[:-1] + ",\n")
    for n, kind in enumerate(KINDS):
        out.write(f"{json.dumps(kind.name)}: [\n")
        _write_lines(out, rows(session, kind, team_id=team_id))
        out.write("]}\n" if n == len(KINDS) - 1 else "],\n")


def _write_lines(out: TextIO, records: Iterable[dict[str, Any]]) -> None:
    first = True
    for record in records:
        if not first:
            out.write(",\n")
        out.write(_line(record))
        first = False
    if not first:
        out.write("\n")


def _line(value: dict[str, Any]) -> str:
    # No newline can appear inside: json escapes those in strings.
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
