"""watch: expected runs, heartbeats, probes

Revision ID: 0005
Revises: 0001
Create Date: 2026-12-04 16:24:35.327453
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "batch_runs",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("last_ping_at", sa.DateTime(), nullable=False),
        sa.Column("exit_code", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.BigInteger(), nullable=True),
        sa.Column("output", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batches.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("batch_runs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_batch_runs_batch_ping", ["batch_id", "last_ping_at"], unique=False
        )

    op.create_table(
        "probes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("expected_status", sa.Integer(), nullable=False),
        sa.Column("keyword", sa.String(length=255), nullable=True),
        sa.Column("timeout_s", sa.Float(), nullable=False),
        sa.Column("interval_s", sa.Integer(), nullable=False),
        sa.Column("failure_threshold", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_checked_at", sa.DateTime(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_latency_ms", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("changed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batches.id"],
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "probe_results",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("probe_id", sa.Integer(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["probe_id"],
            ["probes.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("probe_results", schema=None) as batch_op:
        batch_op.create_index(
            "ix_probe_results_probe_time", ["probe_id", "checked_at"], unique=False
        )

    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("task_triggers", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("ping_uuid", sa.String(length=36), nullable=True))
        batch_op.add_column(
            sa.Column("expect_cron", sa.String(length=120), nullable=True)
        )
        batch_op.add_column(
            sa.Column("expect_timezone", sa.String(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column("expect_grace_minutes", sa.Integer(), nullable=True)
        )
        batch_op.add_column(sa.Column("run_limit_minutes", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("expect_since", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "watch_state", sa.String(length=20), server_default="ok", nullable=False
            )
        )
        batch_op.add_column(sa.Column("watch_due_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("watch_changed_at", sa.DateTime(), nullable=True))

    _give_each_batch_a_ping_uuid()
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_batches_ping_uuid"), ["ping_uuid"], unique=True
        )

    with op.batch_alter_table("log_sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_activity_at", sa.DateTime(), nullable=True))


def _give_each_batch_a_ping_uuid() -> None:
    batches = sa.table(
        "batches", sa.column("id", sa.Integer), sa.column("ping_uuid", sa.String)
    )
    connection = op.get_bind()
    for (batch_id,) in connection.execute(sa.select(batches.c.id)).all():
        connection.execute(
            batches.update()
            .where(batches.c.id == batch_id)
            .values(ping_uuid=str(uuid.uuid4()))
        )


def downgrade() -> None:
    with op.batch_alter_table("log_sources", schema=None) as batch_op:
        batch_op.drop_column("last_activity_at")

    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_batches_ping_uuid"))
        batch_op.drop_column("watch_changed_at")
        batch_op.drop_column("watch_due_at")
        batch_op.drop_column("watch_state")
        batch_op.drop_column("expect_since")
        batch_op.drop_column("run_limit_minutes")
        batch_op.drop_column("expect_grace_minutes")
        batch_op.drop_column("expect_timezone")
        batch_op.drop_column("expect_cron")
        batch_op.drop_column("ping_uuid")
        batch_op.drop_column("task_triggers")

    with op.batch_alter_table("probe_results", schema=None) as batch_op:
        batch_op.drop_index("ix_probe_results_probe_time")

    op.drop_table("probe_results")
    op.drop_table("probes")
    with op.batch_alter_table("batch_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_batch_runs_batch_ping")

    op.drop_table("batch_runs")
