"""Restore a JSON export into an empty workspace (moving servers), once.

The whole file goes in one transaction: a file that turns out malformed halfway leaves
nothing written. A workspace that already holds every problem of the file (the same
number, title and creation time: this export, imported before) gets nothing added; any
other workspace with records is refused, so two histories are never mixed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.errors import UsageError
from bot.export.records import KINDS, PROBLEMS, Kind, stored
from bot.export.tabular import FORMAT, VERSION
from bot.watch import service as watching
from storage import queries
from storage.models import Counter
from storage.problems import Problem
from storage.upsert import insert
from storage.watch import WatchPlan

BATCH = 1000
BY_NAME = {kind.name: kind for kind in KINDS}
# Kinds others belong to through them (a problem's watch plan, for its checks).
OWNERS = {kind.through for kind in KINDS if kind.through is not None}
# The human id each numbered kind takes its numbers from.
COUNTERS = {"problems": "P", "experiments": "E", "analyses": "A"}


class NotEmpty(UsageError):
    """The workspace already has records: a restore would mix two histories."""


@dataclass
class Restored:
    team_id: str
    already: bool = False  # the workspace held the export already: nothing added
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Export:
    """What a file's first line says of it."""

    team_id: str
    records: Iterator[tuple[str, dict[str, Any]]]


def read(lines: Iterable[str]) -> Export:
    """The export's workspace and its records as (kind name, row), a line at a time."""
    lines = iter(lines)
    first = next(lines, "").strip()
    try:
        header = json.loads(first.removesuffix(",") + "}")
    except json.JSONDecodeError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise UsageError(
            "That file is not a ritualbot export: write one with "
            "`ritualbot export --format json` and import its ritualbot.json."
        )
    if header.get("version") != VERSION:
        raise UsageError(
            f"That export is of version {header.get('version')}; this ritualbot reads "
            f"version {VERSION}. Import it with the ritualbot that wrote it."
        )
    return Export(str(header["team_id"]), _records(lines))


def _records(lines: Iterator[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    kind = None
    for number, raw in enumerate(lines, start=2):
        line = raw.strip()
        if line.startswith("{"):
            if kind is None:
                raise UsageError(f"Line {number} of the export holds a record outside any kind.")
            try:
                yield kind, json.loads(line.removesuffix(","))
            except json.JSONDecodeError:
                raise UsageError(f"Line {number} of the export is not a whole record.") from None
        elif line.endswith("["):
            kind = json.loads(line.removesuffix("[").strip().removesuffix(":"))
            if kind not in BY_NAME:
                raise UsageError(f"Line {number} of the export names an unknown kind, {kind!r}.")
        elif line in ("],", "]}"):
            kind = None
        elif line:
            raise UsageError(f"Line {number} of the export is not one ritualbot writes.")


def restore(session: Session, *, export: Export, team_id: str | None) -> Restored:
    """Write the export's records into `team_id` (the exported workspace's own by default),
    in the caller's transaction."""
    team_id = team_id or export.team_id
    held = session.scalar(select(func.count()).where(Problem.team_id == team_id))
    if held:
        return _imported_before(session, export=export, team_id=team_id, held=held)
    restored = Restored(team_id, counts={kind.name: 0 for kind in KINDS})
    ids: dict[str, dict[int, int]] = {}
    batch: list[dict[str, Any]] = []
    current: Kind | None = None
    for name, record in export.records:
        kind = BY_NAME[name]
        if kind is not current:
            _write(session, current, batch, ids=ids, team_id=team_id)
            current, batch = kind, []
        batch.append(record)
        restored.counts[name] += 1
        if len(batch) >= BATCH:
            _write(session, kind, batch, ids=ids, team_id=team_id)
            batch = []
    _write(session, current, batch, ids=ids, team_id=team_id)
    for name, letter in COUNTERS.items():
        _count_from(session, team_id=team_id, kind=letter, of=BY_NAME[name])
    # Rituals are the server's, not the record's: the watch ones the plans need come back.
    owners = select(WatchPlan.owner_id).where(WatchPlan.team_id == team_id).distinct()
    for owner_id in session.scalars(owners.order_by(WatchPlan.owner_id)):
        watching.watch_ritual(session, team_id=team_id, owner_id=owner_id)
    queries.ensure_workspace(session, team_id=team_id)
    return restored


def _imported_before(session: Session, *, export: Export, team_id: str, held: int) -> Restored:
    """Nothing to add when the workspace holds every problem of the export; else refused."""
    for name, record in export.records:
        if name != PROBLEMS.name:
            break
        found = session.execute(
            select(Problem.title, Problem.created_at).where(
                Problem.team_id == team_id, Problem.number == record.get("number")
            )
        ).first()
        created = stored(Problem.__table__.c.created_at, record.get("created_at"))
        if found is None or tuple(found) != (record.get("title"), created):
            raise NotEmpty(
                f"Workspace {team_id} already has {held} problem(s) of its own, so nothing "
                "was imported: an import restores into an empty workspace only. Point "
                "DATABASE_URL at the new server's database, or pass --team with a workspace "
                "that has no records."
            )
    return Restored(team_id, already=True)


def _write(
    session: Session,
    kind: Kind | None,
    records: list[dict[str, Any]],
    *,
    ids: dict[str, dict[int, int]],
    team_id: str,
) -> None:
    """Insert one batch of a kind's records, linked to their parents' new ids."""
    if kind is None or not records:
        return
    owner = kind.through.table if kind.through is not None else kind.parent
    parents = ids.get(owner.name, {}) if owner is not None else {}
    problems = ids.get(PROBLEMS.table.name, {})
    rows = []
    for record in records:
        row = {c.name: stored(c, record.get(c.name)) for c in kind.columns}
        row["team_id"] = team_id
        if kind.link is not None:
            row[kind.link] = _linked(kind, parents, record.get(kind.parent_name or ""))
        for column, name in kind.problems:
            number = record.get(name)
            row[column] = None if number is None else _linked(kind, problems, number, name)
        rows.append(row)
    session.execute(insert(session, kind.table), rows)
    table = kind.table
    if "number" in table.c:
        numbers = [row["number"] for row in rows]
        found = session.execute(
            select(table.c.number, table.c.id).where(
                table.c.team_id == team_id, table.c.number.in_(numbers)
            )
        )
        ids.setdefault(table.name, {}).update({n: id_ for n, id_ in found})
    elif kind in OWNERS and kind.link is not None:
        # One per parent (a problem's watch plan): named by its parent's number.
        number_of = {id_: n for n, id_ in parents.items()}
        found = session.execute(
            select(table.c[kind.link], table.c.id).where(
                table.c.team_id == team_id, table.c[kind.link].in_([r[kind.link] for r in rows])
            )
        )
        ids.setdefault(table.name, {}).update({number_of[p]: id_ for p, id_ in found})


def _linked(kind: Kind, ids: dict[int, int], number: Any, name: str | None = None) -> int:
    """The new id of the record a row names by `number`; refused if the export holds none."""
    if number not in ids:
        raise UsageError(
            f"A record of {kind.name} names {name or kind.parent_name} {number}, which the "
            "export does not hold before it; the file was cut or edited."
        )
    return ids[number]


def _count_from(session: Session, *, team_id: str, kind: str, of: Kind) -> None:
    """Give the workspace's next record of `kind` the number after the last one restored."""
    last = session.scalar(select(func.max(of.table.c.number)).where(of.table.c.team_id == team_id))
    if last is None:
        return
    stmt = insert(session, Counter.__table__).values(team_id=team_id, kind=kind, value=last)
    session.execute(
        stmt.on_conflict_do_update(index_elements=["team_id", "kind"], set_={"value": last})
    )
