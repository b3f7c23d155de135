"""The full-text search index on the database's own engine: SQLite FTS5 or PostgreSQL tsvector.

The index structures are created by migration 0005 from the DDL below and are kept in
sync by the database itself (generated columns, and a trigger for error categories, on
PostgreSQL; triggers on SQLite), so
any code that writes problems, experiments, analyses, categories or decisions is
searchable without calling anything here. They are engine-specific indexes, not model
data, which is why the models do not declare them (see SEARCH_OBJECTS). Migration 0005
builds from these definitions: change them only together with a new migration that
rebuilds the index. On SQLite, a later migration that rebuilds one of these tables
(batch mode) drops its triggers, and must create them again (sqlite_trigger_ddl, as
0013 does); tests/storage/test_migrations.py notices.

Weights: a record's headline (problem title, experiment hypothesis and approach,
analysis root causes, lessons and error categories, decision kind) counts more than
its body text.
"""

from __future__ import annotations

import enum


class Kind(enum.IntEnum):
    """What a hit is; also the low bits of its FTS5 rowid (`id * 8 + kind`)."""

    PROBLEM = 1
    EXPERIMENT = 2
    ANALYSIS = 3
    DECISION = 4


FTS_TABLE = "search_index"
VECTOR = "search_vector"
PG_TABLES = ("problems", "experiments", "error_analyses", "decisions")
# PostgreSQL: an analysis's error categories, as a tsvector kept by a trigger on
# error_categories; the analysis's generated vector includes it.
PG_CATEGORIES = "search_categories"


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
    "decisions": (("kind",), ("rationale",)),
}


def pg_vector_expression(table: str) -> str:
    """The generated tsvector of a table's rows: headline weighted A, body B."""
    headline, body = HEADLINE_AND_BODY[table]
    expression = f"setweight(to_tsvector('english'::regconfig, {_joined(*headline)}), 'A')"
    expression += f" || setweight(to_tsvector('english'::regconfig, {_joined(*body)}), 'B')"
    if table == "error_analyses":
        expression += f" || coalesce({PG_CATEGORIES}, ''::tsvector)"
    return expression


_PG_REFRESH_CATEGORIES = f"""
    UPDATE error_analyses a SET {PG_CATEGORIES} = (
      SELECT setweight(to_tsvector('english'::regconfig, string_agg(c.name, ' ')), 'A')
      FROM error_categories c WHERE c.analysis_id = a.id)
    WHERE a.id IN (SELECT analysis_id FROM {{rows}});"""


def pg_categories_ddl() -> list[str]:
    """The statement-level triggers that keep each analysis's category vector current."""
    function = (
        "CREATE FUNCTION search_refresh_categories() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n"
        "  IF TG_OP IN ('INSERT', 'UPDATE') THEN"
        f"{_PG_REFRESH_CATEGORIES.format(rows='new_rows')}\n  END IF;\n"
        "  IF TG_OP IN ('UPDATE', 'DELETE') THEN"
        f"{_PG_REFRESH_CATEGORIES.format(rows='old_rows')}\n  END IF;\n"
        "  RETURN NULL;\n"
        "END $$"
    )
    triggers = [
        f"CREATE TRIGGER error_categories_search_{event.lower()} AFTER {event} "
        f"ON error_categories REFERENCING {tables} "
        "FOR EACH STATEMENT EXECUTE FUNCTION search_refresh_categories()"
        for event, tables in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
        )
    ]
    return [function, *triggers]


def pg_categories_drop() -> list[str]:
    return [
        *(
            f"DROP TRIGGER IF EXISTS error_categories_search_{e} ON error_categories"
            for e in ("insert", "update", "delete")
        ),
        "DROP FUNCTION IF EXISTS search_refresh_categories()",
    ]


def pg_index_name(table: str) -> str:
    return f"ix_{table}_{VECTOR}"


# SQLite: one FTS5 table holding exactly the live records: a record leaves it when it or
# a record above it (its experiment, its problem) is soft-deleted, and comes back when
# restored, so a search is one ranked FTS5 lookup. An analysis's row carries its error
# categories in its headline.
_LIVE_PROBLEM = "EXISTS (SELECT 1 FROM problems p WHERE p.id = {} AND p.deleted_at IS NULL)"
_LIVE_EXPERIMENT = (
    "EXISTS (SELECT 1 FROM experiments e JOIN problems p ON p.id = e.problem_id "
    "WHERE e.id = {} AND e.deleted_at IS NULL AND p.deleted_at IS NULL)"
)
# Per kind: table, headline, body, liveness, the columns whose change re-indexes the row.
_SQLITE_ROW = {
    Kind.PROBLEM: (
        "problems",
        _joined("r.title"),
        _joined(*(f"r.{c}" for c in HEADLINE_AND_BODY["problems"][1])),
        "r.deleted_at IS NULL",
        "deleted_at",
    ),
    Kind.EXPERIMENT: (
        "experiments",
        _joined("r.hypothesis", "r.approach"),
        _joined("r.dataset", "r.notes"),
        "r.deleted_at IS NULL AND " + _LIVE_PROBLEM.format("r.problem_id"),
        "deleted_at, problem_id",
    ),
    Kind.ANALYSIS: (
        "error_analyses",
        _joined(
            "r.root_causes",
            "r.lessons",
            "(SELECT group_concat(c.name, ' ') FROM error_categories c WHERE c.analysis_id = r.id)",
        ),
        _joined("r.sample_method", "r.slices", "r.next_steps"),
        "r.deleted_at IS NULL AND " + _LIVE_EXPERIMENT.format("r.experiment_id"),
        "deleted_at, experiment_id",
    ),
    Kind.DECISION: (
        "decisions",
        "r.kind",
        _joined("r.rationale"),
        _LIVE_PROBLEM.format("r.problem_id"),
        "problem_id",
    ),
}


def _index_rows(kind: Kind, where: str) -> str:
    table, headline, body, live, _ = _SQLITE_ROW[kind]
    return (
        f"INSERT INTO {FTS_TABLE}(rowid, headline, body, team_id) "
        f"SELECT r.id * 8 + {kind.value}, {headline}, {body}, r.team_id FROM {table} r "
        f"WHERE ({where}) AND {live}"
    )


def _unindex(kind: Kind, ids: str) -> str:
    """Remove the rows of `kind` whose record ids the `ids` query yields (a column `id`)."""
    return f"DELETE FROM {FTS_TABLE} WHERE rowid IN (SELECT id * 8 + {kind.value} FROM ({ids}))"


def _reindex(kind: Kind, ids: str) -> str:
    """Statements that rebuild the rows of the records `ids` selects, as they are now."""
    return f"{_unindex(kind, ids)}; {_index_rows(kind, f'r.id IN ({ids})')};"


def sqlite_ddl() -> list[str]:
    """The FTS5 table and the triggers that keep it in step with the searched tables."""
    return [
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
        "headline, body, team_id UNINDEXED, tokenize = 'porter unicode61 remove_diacritics 2')",
        *sqlite_trigger_ddl(),
    ]


def sqlite_trigger_ddl() -> list[str]:
    """The triggers alone: a migration that copies a searched table (a batch copy on SQLite)
    drops them first and creates them again after."""
    statements: list[str] = []
    for kind, (table, _, _, _, parents) in _SQLITE_ROW.items():
        headline, body = HEADLINE_AND_BODY[table]
        watched = ", ".join((*headline, *body, "team_id", parents))
        statements += [
            f"CREATE TRIGGER {table}_search_insert AFTER INSERT ON {table} BEGIN "
            f"{_index_rows(kind, 'r.id = new.id')}; END",
            f"CREATE TRIGGER {table}_search_update AFTER UPDATE OF {watched} ON {table} BEGIN "
            f"{_reindex(kind, 'SELECT old.id AS id UNION SELECT new.id')} END",
            f"CREATE TRIGGER {table}_search_delete AFTER DELETE ON {table} BEGIN "
            f"{_unindex(kind, 'SELECT old.id AS id')}; END",
        ]
    # Deleting or restoring a problem or an experiment hides or shows what hangs under it.
    under_problem = "SELECT id FROM experiments WHERE problem_id = new.id"
    statements += [
        "CREATE TRIGGER problems_search_cascade AFTER UPDATE OF deleted_at ON problems "
        "WHEN old.deleted_at IS NOT new.deleted_at BEGIN "
        f"{_reindex(Kind.EXPERIMENT, under_problem)} "
        f"{_reindex(Kind.ANALYSIS, f'SELECT id FROM error_analyses WHERE experiment_id IN ({under_problem})')} "
        f"{_reindex(Kind.DECISION, 'SELECT id FROM decisions WHERE problem_id = new.id')} END",
        "CREATE TRIGGER experiments_search_cascade AFTER UPDATE OF deleted_at ON experiments "
        "WHEN old.deleted_at IS NOT new.deleted_at BEGIN "
        f"{_reindex(Kind.ANALYSIS, 'SELECT id FROM error_analyses WHERE experiment_id = new.id')} END",
    ]
    # A category changes what its analysis is found by: rebuild that analysis's row.
    for name, event, analyses in (
        ("insert", "INSERT", "SELECT new.analysis_id AS id"),
        (
            "update",
            "UPDATE OF name, analysis_id",
            "SELECT old.analysis_id AS id UNION SELECT new.analysis_id",
        ),
        ("delete", "DELETE", "SELECT old.analysis_id AS id"),
    ):
        statements.append(
            f"CREATE TRIGGER error_categories_search_{name} AFTER {event} ON error_categories "
            f"BEGIN {_reindex(Kind.ANALYSIS, analyses)} END"
        )
    return statements


def sqlite_triggers() -> list[str]:
    """Names of the triggers sqlite_ddl creates."""
    tables = [row[0] for row in _SQLITE_ROW.values()] + ["error_categories"]
    triggers = [f"{t}_search_{e}" for t in tables for e in ("insert", "update", "delete")]
    return [*triggers, "problems_search_cascade", "experiments_search_cascade"]


def sqlite_backfill() -> list[str]:
    """Index the records written before the index existed."""
    return [_index_rows(kind, "1 = 1") for kind in Kind]


# Objects that exist only as search indexes, named so the schema comparison with the
# models can leave exactly these out (and a test can check they are all there).
SEARCH_OBJECTS = frozenset(
    {FTS_TABLE, VECTOR, PG_CATEGORIES}
    | {f"{FTS_TABLE}_{suffix}" for suffix in ("data", "idx", "content", "docsize", "config")}
    | {pg_index_name(t) for t in PG_TABLES}
)
