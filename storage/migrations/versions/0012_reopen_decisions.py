"""decisions: a decision can reopen a dropped or shipped problem (kind 'reopen')

The kind column's CHECK constraint lists the kinds it takes. PostgreSQL swaps the
constraint in place. SQLite cannot alter a constraint, so the table is copied (batch
mode), which would lose the search index's triggers: those that name the table are read,
dropped before the copy and created again after it, exactly as they were. The copy keeps
every row and its id, so the search index's rows (keyed by id) still match.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONSTRAINT = "ck_decisions_decisionkind"
KINDS = ("continue", "pivot", "cut", "ship")
WIDER = (*KINDS, "reopen")


def _check(kinds: Sequence[str]) -> str:
    return "kind IN ({})".format(", ".join(f"'{k}'" for k in kinds))


def _allow(kinds: Sequence[str]) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f(CONSTRAINT), "decisions", type_="check")
        op.create_check_constraint(op.f(CONSTRAINT), "decisions", _check(kinds))
        return
    # Every trigger that names the table: its own, and the problems' cascade into it, which
    # SQLite would find dangling when the copy is renamed into place.
    triggers = bind.execute(
        sa.text(
            "SELECT name, sql FROM sqlite_master "
            "WHERE type = 'trigger' AND (tbl_name = 'decisions' OR sql LIKE '%decisions%')"
        )
    ).all()
    for name, _ in triggers:
        bind.exec_driver_sql(f'DROP TRIGGER "{name}"')
    with op.batch_alter_table("decisions", recreate="always") as batch:
        batch.drop_constraint(op.f(CONSTRAINT), type_="check")
        batch.create_check_constraint(op.f(CONSTRAINT), _check(kinds))
    for _, sql in triggers:
        bind.exec_driver_sql(sql)


def upgrade() -> None:
    _allow(WIDER)


def downgrade() -> None:
    reopened = op.get_bind().scalar(sa.text("SELECT count(*) FROM decisions WHERE kind = 'reopen'"))
    if reopened:
        # Narrowing the column would have to drop or disguise them: an operator's call.
        raise RuntimeError(
            f"{reopened} decision(s) reopen a problem, and revision 0011 has no kind for them. "
            "Delete them (DELETE FROM decisions WHERE kind = 'reopen') if they may go, "
            "then downgrade again."
        )
    _allow(KINDS)
