"""Complaint follow-ups: a promise to get back to the customer by a due time.

Revision ID: 0005
Revises: 0004_staff
Create Date: 2026-11-22
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004_staff"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "complaint_follow_ups",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("complaint_id", BigId, nullable=False),
        sa.Column("customer_id", sa.String(32), nullable=False),
        sa.Column("due_at", Timestamp, nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("done_at", Timestamp, nullable=True),
        sa.Column("done_by", sa.String(200), nullable=True),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"],
            name="fk_complaint_follow_ups_complaint_id_complaints",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"],
            name="fk_complaint_follow_ups_customer_id_customers",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_complaint_follow_ups"),
    )
    op.create_index(
        "ix_complaint_follow_ups_customer", "complaint_follow_ups", ["customer_id", "due_at"]
    )
    op.create_index("ix_complaint_follow_ups_queue", "complaint_follow_ups", ["done_at", "due_at"])


def downgrade() -> None:
    op.drop_table("complaint_follow_ups")
