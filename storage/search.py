"""Full-text search on the database's own engine: SQLite FTS5 or PostgreSQL tsvector.

The index structures are created by migration 0004 from the DDL below and are kept in
sync by the database itself (generated columns on PostgreSQL, triggers on SQLite), so
any code that writes problems, experiments, analyses, categories or decisions is
searchable without calling anything here. They are engine-specific indexes, not model
data, which is why models.py does not declare them (see SEARCH_OBJECTS).

Weights: a record's headline (problem title, experiment hypothesis and approach,
analysis root causes, lessons and error categories, decision kind) counts more than
its body text.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session


class Kind(enum.IntEnum):
    """What a hit is; also the low bits of its FTS5 rowid (`id * 8 + kind`)."""

    PROBLEM = 1
    EXPERIMENT = 2
    ANALYSIS = 3
    DECISION = 4


@dataclass(frozen=True)
class Hit:
    kind: Kind
    id: int
    score: float


FTS_TABLE = "search_index"
VECTOR = "search_vector"
PG_TABLES = ("problems", "experiments", "error_analyses", "error_categories", "decisions")


def _joined(*columns: str) -> str:
    return " || ' ' || ".join(f"coalesce({c}, '')" for c in columns)


# Per table: the headline columns, the body columns.
HEADLINE_AND_BODY: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "problems": (
        ("title",),
        (
            "statement",
            "user_value",
            "feasibility",
            "metric_name",
            "metric_definition",
            "guardrails",
            "data_sources",
            "prior_work",
            "kill_criteria",
        ),
    ),
    "experiments": (("hypothesis", "approach"), ("dataset", "notes")),
    "error_analyses": (("root_causes", "lessons"), ("sample_method", "slices", "next_steps")),
    "error_categories": (("name",), ()),
    "decisions": (("kind",), ("rationale",)),
}


def pg_vector_expression(table: str) -> str:
    """The generated tsvector of a table's rows: headline weighted A, body B."""
    headline, body = HEADLINE_AND_BODY[table]
    expression = f"setweight(to_tsvector('english'::regconfig, {_joined(*headline)}), 'A')"
    if body:
        expression += f" || setweight(to_tsvector('english'::regconfig, {_joined(*body)}), 'B')"
    return expression


def pg_index_name(table: str) -> str:
    return f"ix_{table}_{VECTOR}"


# SQLite: one FTS5 table. Each live record is one row; soft-deleted records are removed.
# An analysis's row carries its error categories in its headline.
_SQLITE_ROW = {
    Kind.PROBLEM: (
        "problems",
        _joined("r.title"),
        _joined(*(f"r.{c}" for c in HEADLINE_AND_BODY["problems"][1])),
    ),
    Kind.EXPERIMENT: (
        "experiments",
        _joined("r.hypothesis", "r.approach"),
        _joined("r.dataset", "r.notes"),
    ),
    Kind.ANALYSIS: (
        "error_analyses",
        _joined(
            "r.root_causes",
            "r.lessons",
            "(SELECT group_concat(c.name, ' ') FROM error_categories c WHERE c.analysis_id = r.id)",
        ),
        _joined("r.sample_method", "r.slices", "r.next_steps"),
    ),
    Kind.DECISION: ("decisions", "r.kind", _joined("r.rationale")),
}
_SOFT_DELETED = {"problems", "experiments", "error_analyses"}


def _index_rows(kind: Kind, where: str) -> str:
    table, headline, body = _SQLITE_ROW[kind]
    live = " AND r.deleted_at IS NULL" if table in _SOFT_DELETED else ""
    return (
        f"INSERT INTO {FTS_TABLE}(rowid, headline, body, team_id) "
        f"SELECT r.id * 8 + {kind.value}, {headline}, {body}, r.team_id FROM {table} r "
        f"WHERE {where}{live}"
    )


def _unindex(kind: Kind, id_expression: str) -> str:
    return f"DELETE FROM {FTS_TABLE} WHERE rowid = {id_expression} * 8 + {kind.value}"


def sqlite_ddl() -> list[str]:
    """The FTS5 table and the triggers that keep it in step with the searched tables."""
    statements = [
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
        "headline, body, team_id UNINDEXED, tokenize = 'porter unicode61 remove_diacritics 2')"
    ]
    for kind, (table, _, _) in _SQLITE_ROW.items():
        headline, body = HEADLINE_AND_BODY[table]
        watched = ", ".join(
            (*headline, *body, "team_id") + (("deleted_at",) if table in _SOFT_DELETED else ())
        )
        statements += [
            f"CREATE TRIGGER {table}_search_insert AFTER INSERT ON {table} BEGIN "
            f"{_index_rows(kind, 'r.id = new.id')}; END",
            f"CREATE TRIGGER {table}_search_update AFTER UPDATE OF {watched} ON {table} BEGIN "
            f"{_unindex(kind, 'old.id')}; {_index_rows(kind, 'r.id = new.id')}; END",
            f"CREATE TRIGGER {table}_search_delete AFTER DELETE ON {table} BEGIN "
            f"{_unindex(kind, 'old.id')}; END",
        ]
    # A category changes what its analysis is found by: rebuild that analysis's row.
    rebuild = {
        row: f"{_unindex(Kind.ANALYSIS, f'{row}.analysis_id')}; "
        f"{_index_rows(Kind.ANALYSIS, f'r.id = {row}.analysis_id')};"
        for row in ("old", "new")
    }
    for name, event, body in (
        ("insert", "INSERT", rebuild["new"]),
        ("update", "UPDATE OF name, analysis_id", rebuild["old"] + " " + rebuild["new"]),
        ("delete", "DELETE", rebuild["old"]),
    ):
        statements.append(
            f"CREATE TRIGGER error_categories_search_{name} AFTER {event} ON error_categories "
            f"BEGIN {body} END"
        )
    return statements


def sqlite_triggers() -> list[str]:
    """Names of the triggers sqlite_ddl creates."""
    tables = [table for table, _, _ in _SQLITE_ROW.values()] + ["error_categories"]
    return [f"{t}_search_{e}" for t in tables for e in ("insert", "update", "delete")]


def sqlite_backfill() -> list[str]:
    """Index the records written before the index existed."""
    return [_index_rows(kind, "1 = 1") for kind in Kind]


# Objects that exist only as search indexes, named so the schema comparison with the
# models can leave exactly these out (and a test can check they are all there).
SEARCH_OBJECTS = frozenset(
    {FTS_TABLE, VECTOR}
    | {f"{FTS_TABLE}_{suffix}" for suffix in ("data", "idx", "content", "docsize", "config")}
    | {pg_index_name(t) for t in PG_TABLES}
)


def _fts5_query(terms: Sequence[str], *, every: bool) -> str:
    """An FTS5 MATCH string in which each term is a quoted string: never an operator."""
    quoted = ['"' + term.replace('"', '""') + '"' for term in terms]
    return (" AND " if every else " OR ").join(quoted)


_LIVE_SQLITE = """
  CASE h.key % 8
    WHEN 1 THEN 1
    WHEN 2 THEN EXISTS (
      SELECT 1 FROM experiments e JOIN problems p ON p.id = e.problem_id
      WHERE e.id = h.key / 8 AND p.deleted_at IS NULL)
    WHEN 3 THEN EXISTS (
      SELECT 1 FROM error_analyses a JOIN experiments e ON e.id = a.experiment_id
      JOIN problems p ON p.id = e.problem_id
      WHERE a.id = h.key / 8 AND e.deleted_at IS NULL AND p.deleted_at IS NULL)
    WHEN 4 THEN EXISTS (
      SELECT 1 FROM decisions d JOIN problems p ON p.id = d.problem_id
      WHERE d.id = h.key / 8 AND p.deleted_at IS NULL)
  END
"""


def _sqlite_hits(
    session: Session, *, team_id: str, terms: Sequence[str], every: bool, limit: int
) -> list[Hit]:
    # bm25 is lower-is-better; its column weights favour the headline 4:1.
    statement = text(
        f"""
        WITH h AS (
          SELECT rowid AS key, bm25({FTS_TABLE}, 4.0, 1.0) AS score
          FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :query AND team_id = :team_id
        )
        SELECT h.key % 8, h.key / 8, -h.score FROM h
        WHERE {_LIVE_SQLITE}
        ORDER BY h.score, h.key DESC LIMIT :limit
        """
    )
    rows = session.execute(
        statement,
        {"query": _fts5_query(terms, every=every), "team_id": team_id, "limit": limit},
    )
    return [Hit(Kind(kind), id, score) for kind, id, score in rows]


def _pg_hits(
    session: Session, *, team_id: str, terms: Sequence[str], every: bool, limit: int
) -> list[Hit]:
    # Each term is a bound parameter of its own plainto_tsquery: user text is never parsed
    # as tsquery syntax. `any_term` narrows analyses by their own or their categories' index.
    parts = [f"plainto_tsquery('english', :t{i})" for i in range(len(terms))]
    query = (" && " if every else " || ").join(parts)
    any_term = " || ".join(parts)
    statement = text(
        f"""
        WITH q AS (SELECT ({query}) AS query, ({any_term}) AS any_term),
        candidate_analyses AS (
          SELECT a.id FROM error_analyses a, q
          WHERE a.team_id = :team_id AND a.{VECTOR} @@ q.any_term
          UNION
          SELECT c.analysis_id FROM error_categories c, q
          WHERE c.team_id = :team_id AND c.{VECTOR} @@ q.any_term
        ),
        analyses AS (
          SELECT a.id, a.{VECTOR} || coalesce((
            SELECT setweight(to_tsvector('english', string_agg(c.name, ' ')), 'A')
            FROM error_categories c WHERE c.analysis_id = a.id), ''::tsvector) AS vector
          FROM error_analyses a
          JOIN candidate_analyses ca ON ca.id = a.id
          JOIN experiments e ON e.id = a.experiment_id
          JOIN problems p ON p.id = e.problem_id
          WHERE a.deleted_at IS NULL AND e.deleted_at IS NULL AND p.deleted_at IS NULL
        ),
        hits AS (
          SELECT {Kind.PROBLEM.value} AS kind, p.id, ts_rank_cd(p.{VECTOR}, q.query) AS score
          FROM problems p, q
          WHERE p.team_id = :team_id AND p.deleted_at IS NULL AND p.{VECTOR} @@ q.query
          UNION ALL
          SELECT {Kind.EXPERIMENT.value}, e.id, ts_rank_cd(e.{VECTOR}, q.query)
          FROM experiments e JOIN problems p ON p.id = e.problem_id, q
          WHERE e.team_id = :team_id AND e.deleted_at IS NULL AND p.deleted_at IS NULL
            AND e.{VECTOR} @@ q.query
          UNION ALL
          SELECT {Kind.ANALYSIS.value}, a.id, ts_rank_cd(a.vector, q.query)
          FROM analyses a, q WHERE a.vector @@ q.query
          UNION ALL
          SELECT {Kind.DECISION.value}, d.id, ts_rank_cd(d.{VECTOR}, q.query)
          FROM decisions d JOIN problems p ON p.id = d.problem_id, q
          WHERE d.team_id = :team_id AND p.deleted_at IS NULL AND d.{VECTOR} @@ q.query
        )
        SELECT kind, id, score FROM hits ORDER BY score DESC, kind, id DESC LIMIT :limit
        """
    )
    values: dict[str, object] = {f"t{i}": term for i, term in enumerate(terms)}
    rows = session.execute(statement, {**values, "team_id": team_id, "limit": limit})
    return [Hit(Kind(kind), id, float(score)) for kind, id, score in rows]


def hits(
    session: Session, *, team_id: str, terms: Sequence[str], every: bool, limit: int
) -> list[Hit]:
    """The workspace's live records matching `terms` (all of them, or any), best first."""
    if not terms:
        return []
    if session.get_bind().dialect.name == "postgresql":
        return _pg_hits(session, team_id=team_id, terms=terms, every=every, limit=limit)
    return _sqlite_hits(session, team_id=team_id, terms=terms, every=every, limit=limit)
