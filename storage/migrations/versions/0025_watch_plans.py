"""watch_plans, watch_checks, watch_retrains: watching a model after it ships; a problem
can be 'in_production' and a ritual can be a 'watch'

The status and kind columns' CHECK constraints list the values they take. PostgreSQL
swaps a constraint in place. SQLite cannot alter one, so the table is copied (batch mode),
which would lose the search index's triggers: those that name the table are read, dropped
before the copy and created again after it, exactly as they were (as in 0012). The copy
keeps every row and its id, so the search index's rows (keyed by id) still match.

Revision ID: 0025
Revises: 0022
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("open", "in_delivery", "shipped", "dropped")
KINDS = ("standup", "digest")
# table → (constraint, column, values before, values after)
WIDENED = {
    "problems": ("ck_problems_problemstatus", "status", STATUSES, (*STATUSES, "in_production")),
    "rituals": ("ck_rituals_ritualkind", "kind", KINDS, (*KINDS, "watch")),
}


def _check(column: str, values: Sequence[str]) -> str:
    return "{} IN ({})".format(column, ", ".join(f"'{v}'" for v in values))


def _allow(table: str, *, wider: bool) -> None:
    constraint, column, before, after = WIDENED[table]
    values = after if wider else before
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f(constraint), table, type_="check")
        op.create_check_constraint(op.f(constraint), table, _check(column, values))
        return
    triggers = bind.execute(
        sa.text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND (tbl_name = :table OR sql LIKE :named)"
        ),
        {"table": table, "named": f"%{table}%"},
    ).all()
    for name, _ in triggers:
        bind.exec_driver_sql(f'DROP TRIGGER "{name}"')
    with op.batch_alter_table(table, recreate="always") as batch:
        batch.drop_constraint(op.f(constraint), type_="check")
        batch.create_check_constraint(op.f(constraint), _check(column, values))
    for _, sql in triggers:
        bind.exec_driver_sql(sql)


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


def _team() -> sa.Column:
    return sa.Column("team_id", sa.String(32), nullable=False)


def _plan_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["plan_id"],
        ["watch_plans.id"],
        name=op.f(f"fk_{table}_plan_id_watch_plans"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    for table in WIDENED:
        _allow(table, wider=True)
    op.create_table(
        "watch_plans",
        _id(),
        _team(),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("metric_name", sa.String(200), nullable=False),
        sa.Column("shipped_value", sa.Float(), nullable=False),
        sa.Column("alert_value", sa.Float(), nullable=False),
        sa.Column("alert_relative", sa.Boolean(), nullable=False),
        sa.Column("check_every_days", sa.Integer(), nullable=False),
        sa.Column("retrain_every_days", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trained_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["problems.id"],
            name=op.f("fk_watch_plans_problem_id_problems"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watch_plans")),
        sa.UniqueConstraint(
            "team_id", "problem_id", name=op.f("uq_watch_plans_team_id_problem_id")
        ),
    )
    op.create_index(op.f("ix_watch_plans_team_id"), "watch_plans", ["team_id"])
    op.create_table(
        "watch_checks",
        _id(),
        _team(),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("shifted", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "within",
                "alert",
                "kept",
                "retrained",
                "reopened",
                name="checkoutcome",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("checked_by", sa.String(32), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_problem_id", sa.Integer(), nullable=True),
        sa.Column("source_key", sa.String(128), nullable=True),
        sa.ForeignKeyConstraint(
            ["opened_problem_id"],
            ["problems.id"],
            name=op.f("fk_watch_checks_opened_problem_id_problems"),
            ondelete="SET NULL",
        ),
        _plan_fk("watch_checks"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watch_checks")),
        sa.UniqueConstraint(
            "team_id", "source_key", name=op.f("uq_watch_checks_team_id_source_key")
        ),
    )
    op.create_index(op.f("ix_watch_checks_team_id"), "watch_checks", ["team_id"])
    op.create_index(op.f("ix_watch_checks_plan_id"), "watch_checks", ["plan_id"])
    op.create_table(
        "watch_retrains",
        _id(),
        _team(),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("retrained_by", sa.String(32), nullable=False),
        sa.Column("retrained_at", sa.DateTime(timezone=True), nullable=False),
        _plan_fk("watch_retrains"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watch_retrains")),
    )
    op.create_index(op.f("ix_watch_retrains_team_id"), "watch_retrains", ["team_id"])
    op.create_index(op.f("ix_watch_retrains_plan_id"), "watch_retrains", ["plan_id"])


def downgrade() -> None:
    bind = op.get_bind()
    watched = bind.scalar(sa.text("SELECT count(*) FROM problems WHERE status = 'in_production'"))
    if watched:
        raise RuntimeError(
            f"{watched} problem(s) are in production, and revision 0019 has no status for them. "
            "Mark them shipped (UPDATE problems SET status = 'shipped' WHERE status = "
            "'in_production') if their watch may go, then downgrade again."
        )
    for table in ("watch_retrains", "watch_checks", "watch_plans"):
        op.drop_table(table)
    bind.execute(sa.text("DELETE FROM rituals WHERE kind = 'watch'"))
    for table in WIDENED:
        _allow(table, wider=False)
