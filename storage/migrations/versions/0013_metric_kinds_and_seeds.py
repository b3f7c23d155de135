"""problems: the metric's kind, range and evaluation set size; experiments: every seed's value,
the evaluation size, and the outcomes a noise-aware verdict gives

An experiment's `value` stays, as the mean of its `values`. Widening the outcome's CHECK
constraint rebuilds the experiments table on SQLite (a batch copy), which drops the search
triggers: they are dropped first and created again after, from storage.search_index.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05

"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

from storage import search_index

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTCOMES = ("met_target", "improved", "no_gain", "worse", "broken")
NEW_OUTCOMES = ("beat_baseline", "inconclusive", "unjudged")
# A downgrade keeps the experiments judged so: each new outcome as the nearest old one.
OLD_OUTCOME = {"beat_baseline": "improved", "inconclusive": "no_gain", "unjudged": "no_gain"}
CHECK = "ck_experiments_outcome"


def _outcomes_check(outcomes: Sequence[str]) -> str:
    return "outcome IN ({})".format(", ".join(f"'{o}'" for o in outcomes))


@contextmanager
def _experiments_rebuilt(outcomes: Sequence[str]) -> Iterator[BatchOperations]:
    """Change the experiments table in one pass that ends with the outcome's CHECK allowing
    `outcomes`; on SQLite that pass copies the table, so its search triggers (dropped with
    the old table, and naming it) are dropped first and created again after."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for trigger in search_index.sqlite_triggers():
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    with op.batch_alter_table("experiments", recreate="always" if sqlite else "auto") as batch:
        yield batch
        batch.drop_constraint(op.f(CHECK), type_="check")
        batch.create_check_constraint(op.f(CHECK), sa.text(_outcomes_check(outcomes)))
    if sqlite:
        for statement in search_index.sqlite_trigger_ddl():
            op.execute(statement)


def upgrade() -> None:
    # Plain ADD COLUMNs, no constraint: SQLite keeps the problems table and its triggers.
    op.add_column("problems", sa.Column("metric_kind", sa.String(16), nullable=True))
    op.add_column("problems", sa.Column("metric_low", sa.Float(), nullable=True))
    op.add_column("problems", sa.Column("metric_high", sa.Float(), nullable=True))
    op.add_column("problems", sa.Column("eval_size", sa.Integer(), nullable=True))
    with _experiments_rebuilt(OUTCOMES + NEW_OUTCOMES) as batch:
        batch.add_column(sa.Column("values", sa.JSON(), server_default="[]", nullable=False))
        batch.add_column(sa.Column("eval_size", sa.Integer(), nullable=True))
    postgresql = op.get_bind().dialect.name == "postgresql"
    one_seed = "json_build_array(value)" if postgresql else "json_array(value)"
    op.execute(f'UPDATE experiments SET "values" = {one_seed} WHERE value IS NOT NULL')


def downgrade() -> None:
    for new, old in OLD_OUTCOME.items():
        op.execute(f"UPDATE experiments SET outcome = '{old}' WHERE outcome = '{new}'")
    with _experiments_rebuilt(OUTCOMES) as batch:
        batch.drop_column("eval_size")
        batch.drop_column("values")
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy would lose the search triggers.
    for column in ("eval_size", "metric_high", "metric_low", "metric_kind"):
        op.drop_column("problems", column)
