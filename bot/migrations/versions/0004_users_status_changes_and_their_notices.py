"""users, status changes and their notices

Status changes are a history: the database itself refuses to update one, on
SQLite and on PostgreSQL alike, so that no code path can rewrite it.

Revision ID: 0004
Revises: 0001
Create Date: 2026-12-04 16:21:34.636231
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zoom_user", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("granted_by", sa.String(length=255), nullable=False),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("zoom_user"),
    )
    op.create_table(
        "status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=True),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("changed_by", sa.String(length=255), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batches.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("status_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_status_changes_batch_time", ["batch_id", "changed_at"], unique=False
        )

    op.create_table(
        "status_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status_change_id", sa.Integer(), nullable=False),
        sa.Column("audience", sa.String(length=10), nullable=False),
        sa.Column("to_jid", sa.String(length=255), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("claim", sa.String(length=32), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["status_change_id"],
            ["status_changes.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("status_notices", schema=None) as batch_op:
        batch_op.create_index("ix_status_notices_state", ["state"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_status_notices_status_change_id"),
            ["status_change_id"],
            unique=False,
        )

    _refuse_updates_of_status_changes()


def _refuse_updates_of_status_changes() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION status_changes_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'status changes are append-only'; END; $$"
        )
        op.execute(
            "CREATE TRIGGER status_changes_append_only BEFORE UPDATE "
            "ON status_changes FOR EACH ROW "
            "EXECUTE FUNCTION status_changes_append_only()"
        )
        return
    op.execute(
        "CREATE TRIGGER status_changes_append_only BEFORE UPDATE "
        "ON status_changes BEGIN "
        "SELECT RAISE(ABORT, 'status changes are append-only'); END"
    )


def downgrade() -> None:
    with op.batch_alter_table("status_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_status_notices_status_change_id"))
        batch_op.drop_index("ix_status_notices_state")

    op.drop_table("status_notices")
    with op.batch_alter_table("status_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_status_changes_batch_time")

    # Dropping the table drops its trigger; PostgreSQL keeps the function.
    op.drop_table("status_changes")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION status_changes_append_only()")
    op.drop_table("users")
