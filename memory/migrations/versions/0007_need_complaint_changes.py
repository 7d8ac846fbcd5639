"""Amendment history of needs and complaints: one row per changed field.

`amended_at` on needs and complaints is set by the first amendment, so reading records
that were never amended (most of them) costs no history query.

Revision ID: 0007_changes
Revises: 0006_channels
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_changes"
down_revision = "0006_channels"
branch_labels = None
depends_on = None

# Frozen copies of the column types: a migration must not change when models do.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def _change_columns() -> list[sa.Column]:
    return [
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("at", Timestamp, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(200), nullable=True),
        sa.Column("conversation_id", sa.String(200), nullable=True),
        sa.Column("message_id", sa.String(200), nullable=True),
        sa.Column("source_actor", sa.String(200), nullable=True),
    ]


def upgrade() -> None:
    for table, owner, owner_table in (
        ("need_changes", "need_id", "needs"),
        ("complaint_changes", "complaint_id", "complaints"),
    ):
        op.create_table(
            table,
            *_change_columns(),
            sa.Column(owner, BigId, nullable=False),
            sa.ForeignKeyConstraint(
                [owner], [f"{owner_table}.id"], name=f"fk_{table}_{owner}_{owner_table}"
            ),
            sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        )
    for owner_table in ("needs", "complaints"):
        op.add_column(owner_table, sa.Column("amended_at", Timestamp, nullable=True))
    op.create_index("ix_need_changes_need", "need_changes", ["need_id", "id"])
    op.create_index(
        "ix_complaint_changes_complaint", "complaint_changes", ["complaint_id", "id"]
    )


def downgrade() -> None:
    op.drop_table("complaint_changes")
    op.drop_table("need_changes")
    for owner_table in ("complaints", "needs"):
        # Plain DROP COLUMN (SQLite 3.35+ has it): batch mode would copy the whole table.
        op.execute(f"ALTER TABLE {owner_table} DROP COLUMN amended_at")
