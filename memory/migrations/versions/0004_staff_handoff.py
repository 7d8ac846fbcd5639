"""Staff accounts, sessions and login throttling; the handoff queue and internal notes.

Revision ID: 0004_staff
Revises: 0003
Create Date: 2026-11-22
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004_staff"
down_revision = "0003"
branch_labels = None
depends_on = None

# Frozen copies of the column types: a migration must not change when models do.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)
Document = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
OPEN_HANDOFF = sa.text("status <> 'closed'")


def upgrade() -> None:
    op.create_table(
        "staff_accounts",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("disabled_at", Timestamp, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_staff_accounts"),
        sa.UniqueConstraint("username", name="uq_staff_accounts_username"),
    )

    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("account_id", BigId, nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("last_seen_at", Timestamp, nullable=False),
        sa.Column("expires_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["staff_accounts.id"], name="fk_staff_sessions_account_id_staff_accounts"
        ),
        sa.PrimaryKeyConstraint("token_hash", name="pk_staff_sessions"),
    )
    op.create_index("ix_staff_sessions_account_id", "staff_sessions", ["account_id"])

    op.create_table(
        "staff_login_throttle",
        sa.Column("key", sa.String(400), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", Timestamp, nullable=True),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_staff_login_throttle"),
    )

    op.create_table(
        "handoffs",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(200), nullable=False),
        sa.Column("customer_id", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(200), nullable=False),
        sa.Column("reason", sa.String(100), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("detail", Document, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("agent_id", BigId, nullable=True),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("claimed_at", Timestamp, nullable=True),
        sa.Column("closed_at", Timestamp, nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name="fk_handoffs_customer_id_customers"
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["staff_accounts.id"], name="fk_handoffs_agent_id_staff_accounts"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_handoffs"),
    )
    op.create_index("ix_handoffs_conversation_id", "handoffs", ["conversation_id"])
    op.create_index("ix_handoffs_customer_id", "handoffs", ["customer_id"])
    op.create_index("ix_handoffs_agent_id", "handoffs", ["agent_id"])
    op.create_index("ix_handoffs_queue", "handoffs", ["status", "priority", "created_at"])
    op.create_index(
        "uq_handoffs_open_conversation", "handoffs", ["conversation_id"], unique=True,
        sqlite_where=OPEN_HANDOFF, postgresql_where=OPEN_HANDOFF,
    )

    op.create_table(
        "handoff_notes",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("handoff_id", BigId, nullable=False),
        sa.Column("author_id", BigId, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["handoff_id"], ["handoffs.id"], name="fk_handoff_notes_handoff_id_handoffs"
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["staff_accounts.id"], name="fk_handoff_notes_author_id_staff_accounts"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_handoff_notes"),
    )
    op.create_index("ix_handoff_notes_handoff_id", "handoff_notes", ["handoff_id"])


def downgrade() -> None:
    for table in (
        "handoff_notes",
        "handoffs",
        "staff_login_throttle",
        "staff_sessions",
        "staff_accounts",
    ):
        op.drop_table(table)
