"""Why a record matched: how many of the workspace's records hold a word, and which words
and phrases a few ranked records share with a text, with a snippet marking them.

A needle is one word or a phrase of adjacent words, matched on the engine's own index
(FTS5's porter stems on SQLite, the english configuration on PostgreSQL), so `tickets`
finds `ticket` exactly as a search does. Every word is a bound parameter, quoted for FTS5
or parsed by plainto_tsquery / phraseto_tsquery: never query syntax. Every query is
scoped by `team_id`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from storage.search import Hit, fts5_quoted
from storage.search_index import FTS_TABLE, HEADLINE_AND_BODY, VECTOR, Kind

Needle = tuple[str, ...]
# Marks around a matched word in a snippet: control characters, which typed text never
# holds (bot.text.clean drops them on the way in), so they cannot be forged.
START, STOP = "\x01", "\x02"
MARKED = re.compile(f"{START}([^{STOP}]*){STOP}")
WORD = re.compile(r"\w+")
SNIPPET_WORDS = 16
_TABLES = {
    Kind.PROBLEM: ("problems", "t.deleted_at IS NULL"),
    Kind.EXPERIMENT: ("experiments", "t.deleted_at IS NULL"),
    Kind.ANALYSIS: ("error_analyses", "t.deleted_at IS NULL"),
    Kind.DECISION: ("decisions", "true"),
}


@dataclass(frozen=True)
class Evidence:
    """A record's headline with the needles it holds marked, and a snippet of its body with
    them marked ("" when its body holds none)."""

    headline: str
    snippet: str

    @classmethod
    def of(cls, headline: str | None, body: str | None) -> Evidence:
        body = body or ""
        return cls(headline or "", body if START in body else "")

    def words(self) -> frozenset[str]:
        """The record's own words that were marked, lower-cased."""
        marked = MARKED.findall(self.headline + " " + self.snippet)
        return frozenset(w.lower() for run in marked for w in WORD.findall(run))


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _pg_query(i: int, needle: Needle) -> str:
    parse = "phraseto_tsquery" if len(needle) > 1 else "plainto_tsquery"
    return f"{parse}('english', :n{i})"


def _values(needles: Sequence[Needle]) -> dict[str, object]:
    return {f"n{i}": " ".join(n) for i, n in enumerate(needles)}


def records(session: Session, *, team_id: str, cap: int) -> int:
    """How many records the workspace holds, counted up to `cap`."""
    parts = [
        f"(SELECT count(*) FROM (SELECT 1 FROM {table} t WHERE t.team_id = :team_id AND {live} "
        "LIMIT :cap) x)"
        for table, live in _TABLES.values()
    ]
    counted = session.execute(text(f"SELECT {' + '.join(parts)}"), {"team_id": team_id, "cap": cap})
    return min(int(counted.scalar_one()), cap)


def holding(session: Session, *, team_id: str, needles: Sequence[Needle], cap: int) -> list[int]:
    """Per needle, how many of the workspace's live records hold it, counted up to `cap`."""
    if not needles:
        return []
    if _is_pg(session):
        counts = [
            " + ".join(
                f"(SELECT count(*) FROM (SELECT 1 FROM {table} t WHERE t.team_id = :team_id "
                f"AND {live} AND t.{VECTOR} @@ {_pg_query(i, n)} LIMIT :cap) x)"
                for table, live in _TABLES.values()
            )
            for i, n in enumerate(needles)
        ]
    else:
        counts = [
            f"(SELECT count(*) FROM (SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :n{i} "
            "AND team_id = :team_id LIMIT :cap) x)"
            for i in range(len(needles))
        ]
    values = _values(needles) if _is_pg(session) else _fts5_values(needles)
    row = session.execute(
        text(f"SELECT {', '.join(counts)}"), {**values, "team_id": team_id, "cap": cap}
    ).one()
    return [min(int(c or 0), cap) for c in row]


# Per kind, the column its records are numbered by in a workspace (newest highest), with
# an index on (team_id, column), so the newest records are an index walk.
_NEWEST = {
    Kind.PROBLEM: "number",
    Kind.EXPERIMENT: "number",
    Kind.ANALYSIS: "number",
    Kind.DECISION: "decided_at",
}


def frequencies(
    session: Session,
    *,
    team_id: str,
    needles: Sequence[Needle],
    newest: int,
    cap: int,
    common_at: Callable[[int], int],
) -> tuple[int, list[int]]:
    """How many records the counts are taken over, and per needle how many of them hold it
    (counted up to `common_at` of the former, which is all a caller asks).

    On PostgreSQL, over the workspace's newest `newest` live records of each kind, in one
    query: the rows are an index walk and each needle is checked on their vectors, so the
    cost stays flat however many records a common word is in (counting it over the index
    fetched every match: 28 ms of a capture's follow-up over 100,000 records). On SQLite,
    where FTS5 walks a word's doclist cheaply, over the workspace's records, up to `cap`."""
    if _is_pg(session):
        return _pg_frequencies(session, team_id=team_id, needles=needles, newest=newest)
    total = records(session, team_id=team_id, cap=cap)
    return total, holding(session, team_id=team_id, needles=needles, cap=common_at(total))


def _pg_frequencies(
    session: Session, *, team_id: str, needles: Sequence[Needle], newest: int
) -> tuple[int, list[int]]:
    sample = " UNION ALL ".join(
        f"(SELECT t.{VECTOR} AS vector FROM {table} t WHERE t.team_id = :team_id AND {live} "
        f"ORDER BY t.{_NEWEST[kind]} DESC LIMIT :newest)"
        for kind, (table, live) in _TABLES.items()
    )
    counts = "".join(
        f", count(*) FILTER (WHERE s.vector @@ {_pg_query(i, n)})" for i, n in enumerate(needles)
    )
    row = session.execute(
        text(f"SELECT count(*){counts} FROM ({sample}) s"),
        {**_values(needles), "team_id": team_id, "newest": newest},
    ).one()
    total = int(row[0])
    return total, [int(c) for c in row[1:]]


def _fts5_values(needles: Sequence[Needle]) -> dict[str, object]:
    return {f"n{i}": fts5_quoted(" ".join(n)) for i, n in enumerate(needles)}


def evidence(
    session: Session, *, team_id: str, hits: Sequence[Hit], needles: Sequence[Needle]
) -> dict[tuple[Kind, int], Evidence]:
    """For each hit, its headline and a snippet of its body with the needles it holds
    marked (START … STOP)."""
    if not hits or not needles:
        return {}
    find = _pg_evidence if _is_pg(session) else _sqlite_evidence
    return find(session, team_id=team_id, hits=hits, needles=needles)


def _sqlite_evidence(
    session: Session, *, team_id: str, hits: Sequence[Hit], needles: Sequence[Needle]
) -> dict[tuple[Kind, int], Evidence]:
    # One MATCH of every needle, so that highlight() and snippet() mark all of them; one
    # row at a time (`rowid = …`, which FTS5 seeks to), not through the needles' doclists.
    values = {
        "every": " OR ".join(fts5_quoted(" ".join(n)) for n in needles),
        "team_id": team_id,
        "start": START,
        "stop": STOP,
    }
    rows = " UNION ALL ".join(
        f"SELECT rowid, highlight({FTS_TABLE}, 0, :start, :stop), "
        f"snippet({FTS_TABLE}, 1, :start, :stop, '…', {SNIPPET_WORDS}) FROM {FTS_TABLE} "
        f"WHERE {FTS_TABLE} MATCH :every AND rowid = {int(h.id) * 8 + int(h.kind)} "
        "AND team_id = :team_id"
        for h in hits
    )
    return {
        (Kind(rowid % 8), rowid // 8): Evidence.of(head, body)
        for rowid, head, body in session.execute(text(rows), values)
    }


def _pg_text(table: str) -> tuple[str, str]:
    """A record's searched headline and body, as its vector reads them."""
    headline, body = HEADLINE_AND_BODY[table]
    columns = [f"t.{c}" for c in headline]
    if table == "error_analyses":
        columns.append(
            "(SELECT string_agg(c.name, ' ') FROM error_categories c WHERE c.analysis_id = t.id)"
        )
    return (
        f"concat_ws(' ', {', '.join(columns)})",
        f"concat_ws(' ', {', '.join(f't.{c}' for c in body)})",
    )


def _pg_evidence(
    session: Session, *, team_id: str, hits: Sequence[Hit], needles: Sequence[Needle]
) -> dict[tuple[Kind, int], Evidence]:
    queries = [_pg_query(i, n) for i, n in enumerate(needles)]
    every = " || ".join(queries)
    options = (
        f"StartSel={START}, StopSel={STOP}, MaxWords={SNIPPET_WORDS}, MinWords=6, MaxFragments=1"
    )
    values = {
        **_values(needles),
        "team_id": team_id,
        "options": options,
        "all": f"StartSel={START}, StopSel={STOP}, HighlightAll=true",
    }
    result: dict[tuple[Kind, int], Evidence] = {}
    for kind, (table, _) in _TABLES.items():
        ids = [int(h.id) for h in hits if h.kind == kind]
        if not ids:
            continue
        headline, body = _pg_text(table)
        rows = session.execute(
            text(
                f"SELECT t.id, ts_headline('english', {headline}, {every}, :all), "
                f"ts_headline('english', {body}, {every}, :options) FROM {table} t "
                f"WHERE t.team_id = :team_id AND t.id IN ({', '.join(map(str, ids))})"
            ),
            values,
        )
        for id_, head, snippet in rows:
            result[kind, id_] = Evidence.of(head, snippet)
    return result
