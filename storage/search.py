"""Searching the full-text index: a workspace's live records matching some words, best first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from storage.search_index import FTS_TABLE, VECTOR, Kind


@dataclass(frozen=True)
class Hit:
    kind: Kind
    id: int
    score: float


def fts5_quoted(term: str) -> str:
    """A term as an FTS5 string (a phrase, when it holds several words): never an operator."""
    return '"' + term.replace('"', '""') + '"'


def _fts5_query(groups: Sequence[Sequence[str]]) -> str:
    """An FTS5 MATCH string, any of the groups with all of its terms, in which each term is
    a quoted string: never an operator."""
    return " OR ".join(
        "(" + " AND ".join(fts5_quoted(term) for term in group) + ")" for group in groups
    )


def _sqlite_hits(
    session: Session, *, team_id: str, query: str, limit: int, recent: int | None
) -> list[Hit]:
    # FTS5 ranks and cuts in one pass with `ORDER BY rank`; bm25 (lower is better) weighs
    # the headline 4:1 over the body. The index holds only live records. With `recent`,
    # FTS5 walks the matches newest first (rowids grow with ids) and ranks only those.
    match = f"{FTS_TABLE} MATCH :query AND team_id = :team_id"
    if recent is None:
        sql = f"""
            SELECT rowid % 8, rowid / 8, -rank FROM {FTS_TABLE}
            WHERE {match} AND rank MATCH 'bm25(4.0, 1.0, 0.0)'
            ORDER BY rank LIMIT :limit
            """
    else:
        sql = f"""
            SELECT rowid % 8, rowid / 8, score FROM (
              SELECT rowid, -bm25({FTS_TABLE}, 4.0, 1.0, 0.0) AS score FROM {FTS_TABLE}
              WHERE {match} ORDER BY rowid DESC LIMIT :recent
            ) ORDER BY score DESC, rowid DESC LIMIT :limit
            """
    values = {"query": query, "team_id": team_id, "limit": limit}
    rows = session.execute(text(sql), {**values, "recent": recent})
    return [Hit(Kind(kind), id, score) for kind, id, score in rows]


# Scalar subqueries, looked up row by row for the few best hits only (an EXISTS here is
# planned as a hash of every live record, which costs more than the search itself).
_LIVE_PG = """
  CASE h.kind
    WHEN 1 THEN true
    WHEN 2 THEN (
      SELECT p.deleted_at IS NULL FROM experiments e JOIN problems p ON p.id = e.problem_id
      WHERE e.id = h.id)
    WHEN 3 THEN (
      SELECT a.deleted_at IS NULL AND e.deleted_at IS NULL AND p.deleted_at IS NULL
      FROM error_analyses a JOIN experiments e ON e.id = a.experiment_id
      JOIN problems p ON p.id = e.problem_id
      WHERE a.id = h.id)
    WHEN 4 THEN (
      SELECT p.deleted_at IS NULL FROM decisions d JOIN problems p ON p.id = d.problem_id
      WHERE d.id = h.id)
  END
"""


# Per kind: the table, and the condition for a live row of it (a decision has no deletion).
_PG_KINDS = (
    (Kind.PROBLEM, "problems", "t.deleted_at IS NULL"),
    (Kind.EXPERIMENT, "experiments", "t.deleted_at IS NULL"),
    (Kind.ANALYSIS, "error_analyses", "t.deleted_at IS NULL"),
    (Kind.DECISION, "decisions", "true"),
)


def _pg_matches(kind: Kind, table: str, live: str, query: str, *, recent: bool) -> str:
    """One kind's matching live rows with their rank; with `recent`, its newest only.

    The query is a value in each, not read from a CTE: the planner then sees its
    words and estimates from the column's statistics how many rows hold them, and walks
    the newest rows back when matches are dense instead of fetching every match (21,000
    experiments for a text of common phrases: 30 ms against 2)."""
    where = f"t.team_id = :team_id AND {live} AND t.{VECTOR} @@ ({query})"
    if not recent:
        return (
            f"SELECT {kind.value} AS kind, t.id, ts_rank(t.{VECTOR}, {query}) AS score "
            f"FROM {table} t WHERE {where}"
        )
    # Ranked outside the cut, so ts_rank runs for the newest matches only.
    return (
        f"SELECT {kind.value} AS kind, r.id, ts_rank(r.vector, {query}) AS score FROM ("
        f"SELECT t.id, t.{VECTOR} AS vector FROM {table} t WHERE {where} "
        f"ORDER BY t.id DESC LIMIT :recent) r"
    )


def _pg_terms(terms: Sequence[str], *, phrases: bool = True) -> list[str]:
    """Each term as a bound parameter of its own plainto_tsquery (phraseto_tsquery for a
    phrase, unless `phrases` is off: then its words in any order): user text is never
    parsed as tsquery syntax."""
    return [
        f"{'phraseto_tsquery' if phrases and ' ' in term else 'plainto_tsquery'}('english', :t{i})"
        for i, term in enumerate(terms)
    ]


def _pg_hits(
    session: Session,
    *,
    team_id: str,
    terms: Sequence[str],
    query: str,
    limit: int,
    recent: int | None,
) -> list[Hit]:
    # ts_rank (weights A 1.0, B 0.4) rather than ts_rank_cd: cover density costs about
    # three times as much per matching row and, for the one-word terms we search, adds
    # little. Only the best hits are checked for deleted records above them.
    values: dict[str, object] = {f"t{i}": term for i, term in enumerate(terms)}
    # The words parsed first, and the query sent back as a value the planner reads (see
    # _pg_matches), not an expression it plans eight times over (20 ms for 25 pairs).
    parsed = session.execute(text(f"SELECT ({query})::text"), values).scalar()
    if not parsed:
        return []  # stop words only
    # The driver prepares a statement run often, and PostgreSQL may then plan it once for
    # any query: the bitmap over every match again. This one is planned for its words.
    session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    matches = "\n          UNION ALL\n          ".join(
        f"({_pg_matches(kind, table, live, 'CAST(:query AS tsquery)', recent=recent is not None)})"
        for kind, table, live in _PG_KINDS
    )
    statement = text(
        f"""
        WITH hits AS (
          {matches}
        )
        , best AS (
          SELECT kind, id, score FROM hits ORDER BY score DESC, kind, id DESC LIMIT :window
        )
        SELECT (SELECT count(*) FROM best), h.kind, h.id, h.score
        FROM (SELECT 1) AS one LEFT JOIN LATERAL (
          SELECT * FROM best h WHERE {_LIVE_PG}
          ORDER BY score DESC, kind, id DESC LIMIT :limit
        ) h ON true
        """
    )
    values = dict(query=parsed, team_id=team_id, limit=limit, recent=recent)
    # A top-N sort of a window a few times the limit is far cheaper than sorting every
    # match; only when deleted records above the hits empty a full window is it widened.
    window = limit * 4
    while True:
        rows = session.execute(statement, {**values, "window": window}).all()
        # One row at least, carrying how many hits the window held.
        found = [Hit(Kind(kind), id, float(score)) for _, kind, id, score in rows if kind]
        if len(found) == limit or rows[0][0] < window:
            return found
        window *= 16


def hits(
    session: Session,
    *,
    team_id: str,
    terms: Sequence[str],
    every: bool,
    limit: int,
    recent: int | None = None,
) -> list[Hit]:
    """The workspace's live records matching `terms` (all of them, or any), best first.

    `recent` ranks only the newest that many matches (of each kind, on PostgreSQL), so
    that the cost stays flat however many records share a common word.
    """
    return any_of(
        session,
        team_id=team_id,
        groups=[terms] if every else [[term] for term in terms],
        limit=limit,
        recent=recent,
    )


def any_of(
    session: Session,
    *,
    team_id: str,
    groups: Sequence[Sequence[str]],
    limit: int,
    recent: int | None = None,
) -> list[Hit]:
    """The workspace's live records holding every term of at least one of the `groups`,
    best first; a term of several words is a phrase. `recent` as for hits().

    On PostgreSQL a phrase is found as its words in any order: checking word positions
    reads every record holding both words (66 ms for a text's phrases over 100,000
    records); exact() checks the few found.
    """
    groups = [group for group in groups if group]
    if not groups:
        return []
    values = dict(team_id=team_id, limit=limit, recent=recent)
    if session.get_bind().dialect.name != "postgresql":
        return _sqlite_hits(session, query=_fts5_query(groups), **values)
    terms = list(dict.fromkeys(term for group in groups for term in group))
    parse = dict(zip(terms, _pg_terms(terms, phrases=False), strict=True))
    query = " || ".join("(" + " && ".join(parse[term] for term in group) + ")" for group in groups)
    return _pg_hits(session, terms=terms, query=query, **values)


def exact(
    session: Session, *, team_id: str, hits: Sequence[Hit], groups: Sequence[Sequence[str]]
) -> set[tuple[Kind, int]]:
    """Which of `hits` hold every term of at least one of the `groups`, phrases as phrases."""
    groups = [group for group in groups if group]
    if not hits or not groups:
        return set()
    if session.get_bind().dialect.name != "postgresql":
        # FTS5 matched the phrases exactly already.
        return {(h.kind, h.id) for h in hits}
    terms = list(dict.fromkeys(term for group in groups for term in group))
    parse = dict(zip(terms, _pg_terms(terms), strict=True))
    query = " || ".join("(" + " && ".join(parse[term] for term in group) + ")" for group in groups)
    values: dict[str, object] = {f"t{i}": term for i, term in enumerate(terms)}
    held: set[tuple[Kind, int]] = set()
    for kind, table, _ in _PG_KINDS:
        ids = [int(h.id) for h in hits if h.kind == kind]
        if ids:
            rows = session.execute(
                text(
                    f"SELECT t.id FROM {table} t WHERE t.team_id = :team_id "
                    f"AND t.id IN ({', '.join(map(str, ids))}) AND t.{VECTOR} @@ ({query})"
                ),
                {**values, "team_id": team_id},
            )
            held.update((kind, id_) for (id_,) in rows)
    return held
