"""trackers: tracker_connections, run_fetches, problems.metric_key; Slack tokens sealed

The OAuth installation store's tables (slack_bots, slack_installations) are made by
slack_sdk at start-up, so they may not exist yet; where they do, every token still in
plain text is sealed with RITUALBOT_SECRET_KEY's first key (storage.secrets). Without a
key nothing is sealed (`ritualbot doctor` warns); migrating again once it is set does it.
Their token columns become TEXT first on PostgreSQL: a sealed token is longer than 200.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.secrets import box_from

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SLACK_TOKENS = {
    "slack_bots": ("bot_token", "bot_refresh_token"),
    "slack_installations": ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token"),
}


def upgrade() -> None:
    op.add_column("problems", sa.Column("metric_key", sa.String(250), nullable=True))
    op.create_table(
        "tracker_connections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "mlflow",
                "wandb",
                name="trackerkind",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("token", sa.Text(), nullable=True),
        sa.Column("connected_by", sa.String(32), nullable=False),
        sa.Column("connected_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracker_connections")),
        sa.UniqueConstraint("team_id", "kind", name=op.f("uq_tracker_connections_team_id_kind")),
    )
    op.create_index(
        op.f("ix_tracker_connections_team_id"), "tracker_connections", ["team_id"], unique=False
    )
    op.create_table(
        "run_fetches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "fetching",
                "fetched",
                "failed",
                name="fetchstate",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("author_told", sa.Boolean(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.id"],
            name=op.f("fk_run_fetches_experiment_id_experiments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_fetches")),
        sa.UniqueConstraint("experiment_id", name=op.f("uq_run_fetches_experiment_id")),
    )
    op.create_index(op.f("ix_run_fetches_team_id"), "run_fetches", ["team_id"], unique=False)
    op.create_index(
        "ix_run_fetches_state_next_try_at", "run_fetches", ["state", "next_try_at"], unique=False
    )
    _seal_slack_tokens()


def _seal_slack_tokens(*, unseal: bool = False) -> None:
    bind = op.get_bind()
    present = set(sa.inspect(bind).get_table_names())
    box = box_from()
    for table_name, columns in SLACK_TOKENS.items():
        if table_name not in present:
            continue
        if bind.dialect.name == "postgresql" and not unseal:
            for column in columns:
                op.alter_column(table_name, column, type_=sa.Text())
        if box is None:
            continue
        table = sa.table(table_name, sa.column("id"), *(sa.column(c) for c in columns))
        for row in bind.execute(sa.select(table)).mappings().all():
            sealed = {c: (box.open if unseal else box.seal)(row[c]) for c in columns if row[c]}
            if any(sealed[c] != row[c] for c in sealed):
                bind.execute(table.update().where(table.c.id == row["id"]).values(**sealed))


def downgrade() -> None:
    # The code before this revision reads tokens in plain text.
    _seal_slack_tokens(unseal=True)
    op.drop_table("run_fetches")
    op.drop_table("tracker_connections")
    op.drop_column("problems", "metric_key")
