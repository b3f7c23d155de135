"""delivery and rituals

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "aways",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aways")),
    )
    with op.batch_alter_table("aways", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aways_team_id"), ["team_id"], unique=False)

    op.create_table(
        "record_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("changed_by", sa.String(length=32), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_versions")),
    )
    with op.batch_alter_table("record_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_versions_team_id"), ["team_id"], unique=False)

    op.create_table(
        "rituals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "standup",
                "digest",
                name="ritualkind",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("weekdays", sa.JSON(), nullable=False),
        sa.Column("local_time", sa.Time(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("timezone_rule", sa.String(length=16), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("participants_rule", sa.String(length=16), nullable=False),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("reminder_minutes", sa.Integer(), nullable=True),
        sa.Column("cutoff_time", sa.Time(), nullable=True),
        sa.Column("holidays", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rituals")),
        sa.UniqueConstraint(
            "team_id", "kind", "channel_id", name=op.f("uq_rituals_team_id_kind_channel_id")
        ),
    )
    with op.batch_alter_table("rituals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rituals_team_id"), ["team_id"], unique=False)

    op.create_table(
        "experiments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("hypothesis", sa.Text(), nullable=True),
        sa.Column("approach", sa.Text(), nullable=True),
        sa.Column("dataset", sa.String(length=300), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "met_target",
                "improved",
                "no_gain",
                "worse",
                "broken",
                name="outcome",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("run_url", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("author_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("message_channel", sa.String(length=32), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("source_key", sa.String(length=128), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
        sa.Column("deleted_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["problems.id"],
            name=op.f("fk_experiments_problem_id_problems"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiments")),
        sa.UniqueConstraint("team_id", "number", name=op.f("uq_experiments_team_id_number")),
        sa.UniqueConstraint(
            "team_id", "source_key", name=op.f("uq_experiments_team_id_source_key")
        ),
    )
    with op.batch_alter_table("experiments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_experiments_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_experiments_outcome"), ["outcome"], unique=False)
        batch_op.create_index(batch_op.f("ix_experiments_problem_id"), ["problem_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_experiments_team_id"), ["team_id"], unique=False)

    op.create_table(
        "ritual_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("ritual_id", sa.Integer(), nullable=False),
        sa.Column("occurrence", sa.String(length=128), nullable=False),
        sa.Column("scheduled_for", UTCDateTime(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ritual_id"],
            ["rituals.id"],
            name=op.f("fk_ritual_runs_ritual_id_rituals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ritual_runs")),
        sa.UniqueConstraint(
            "ritual_id", "occurrence", name=op.f("uq_ritual_runs_ritual_id_occurrence")
        ),
    )
    with op.batch_alter_table("ritual_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ritual_runs_ritual_id"), ["ritual_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ritual_runs_team_id"), ["team_id"], unique=False)

    op.create_table(
        "error_analyses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=True),
        sa.Column("sample_method", sa.Text(), nullable=True),
        sa.Column("slices", sa.Text(), nullable=True),
        sa.Column("root_causes", sa.Text(), nullable=True),
        sa.Column("next_steps", sa.Text(), nullable=True),
        sa.Column("lessons", sa.Text(), nullable=True),
        sa.Column("author_id", sa.String(length=32), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("source_key", sa.String(length=128), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
        sa.Column("deleted_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.id"],
            name=op.f("fk_error_analyses_experiment_id_experiments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_error_analyses")),
        sa.UniqueConstraint("team_id", "number", name=op.f("uq_error_analyses_team_id_number")),
        sa.UniqueConstraint(
            "team_id", "source_key", name=op.f("uq_error_analyses_team_id_source_key")
        ),
    )
    with op.batch_alter_table("error_analyses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_error_analyses_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_error_analyses_experiment_id"), ["experiment_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_error_analyses_team_id"), ["team_id"], unique=False)

    op.create_table(
        "standup_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("edited_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["ritual_runs.id"],
            name=op.f("fk_standup_answers_run_id_ritual_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standup_answers")),
        sa.UniqueConstraint("run_id", "user_id", name=op.f("uq_standup_answers_run_id_user_id")),
    )
    with op.batch_alter_table("standup_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_standup_answers_run_id"), ["run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_standup_answers_team_id"), ["team_id"], unique=False)

    op.create_table(
        "error_categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("analysis_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["analysis_id"],
            ["error_analyses.id"],
            name=op.f("fk_error_categories_analysis_id_error_analyses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_error_categories")),
    )
    with op.batch_alter_table("error_categories", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_error_categories_analysis_id"), ["analysis_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_error_categories_team_id"), ["team_id"], unique=False)

    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("analysis_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["analysis_id"],
            ["error_analyses.id"],
            name=op.f("fk_follow_ups_analysis_id_error_analyses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_ups")),
    )
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_follow_ups_analysis_id"), ["analysis_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_follow_ups_team_id"), ["team_id"], unique=False)

    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deleted_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("deleted_by", sa.String(length=32), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.drop_column("deleted_by")
        batch_op.drop_column("deleted_at")

    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_ups_team_id"))
        batch_op.drop_index(batch_op.f("ix_follow_ups_analysis_id"))

    op.drop_table("follow_ups")
    with op.batch_alter_table("error_categories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_error_categories_team_id"))
        batch_op.drop_index(batch_op.f("ix_error_categories_analysis_id"))

    op.drop_table("error_categories")
    with op.batch_alter_table("standup_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_standup_answers_team_id"))
        batch_op.drop_index(batch_op.f("ix_standup_answers_run_id"))

    op.drop_table("standup_answers")
    with op.batch_alter_table("error_analyses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_error_analyses_team_id"))
        batch_op.drop_index(batch_op.f("ix_error_analyses_experiment_id"))
        batch_op.drop_index(batch_op.f("ix_error_analyses_created_at"))

    op.drop_table("error_analyses")
    with op.batch_alter_table("ritual_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ritual_runs_team_id"))
        batch_op.drop_index(batch_op.f("ix_ritual_runs_ritual_id"))

    op.drop_table("ritual_runs")
    with op.batch_alter_table("experiments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_experiments_team_id"))
        batch_op.drop_index(batch_op.f("ix_experiments_problem_id"))
        batch_op.drop_index(batch_op.f("ix_experiments_outcome"))
        batch_op.drop_index(batch_op.f("ix_experiments_created_at"))

    op.drop_table("experiments")
    with op.batch_alter_table("rituals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rituals_team_id"))

    op.drop_table("rituals")
    with op.batch_alter_table("record_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_versions_team_id"))

    op.drop_table("record_versions")
    with op.batch_alter_table("aways", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aways_team_id"))

    op.drop_table("aways")
