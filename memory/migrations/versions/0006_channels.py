"""Channels: REST integrations' API keys, idempotent requests and cross-channel link tokens.

Revision ID: 0006_channels
Revises: 0005
Create Date: 2026-11-23
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006_channels"
down_revision = "0005"
branch_labels = None
depends_on = None

# Frozen copies of the column types: a migration must not change when models do.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)
Document = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
ACTIVE_KEY = sa.text("revoked_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("integration", sa.String(100), nullable=False),
        sa.Column("prefix", sa.String(20), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("revoked_at", Timestamp, nullable=True),
        sa.Column("revoked_by", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        sa.UniqueConstraint("key_hash", name="uq_api_keys_key_hash"),
    )
    op.create_index(
        "uq_api_keys_active_integration", "api_keys", ["integration"], unique=True,
        sqlite_where=ACTIVE_KEY, postgresql_where=ACTIVE_KEY,
    )

    op.create_table(
        "idempotent_requests",
        sa.Column("scope", sa.String(200), nullable=False),
        sa.Column("request_key", sa.String(200), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("customer_id", sa.String(32), nullable=False),
        sa.Column("conversation_id", sa.String(200), nullable=False),
        sa.Column("response", Document, nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("claimed_at", Timestamp, nullable=False),
        sa.Column("completed_at", Timestamp, nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name="fk_idempotent_requests_customer_id_customers"
        ),
        sa.PrimaryKeyConstraint("scope", "request_key", name="pk_idempotent_requests"),
    )
    op.create_index(
        "ix_idempotent_requests_customer_id", "idempotent_requests", ["customer_id"]
    )
    op.create_index("ix_idempotent_requests_created_at", "idempotent_requests", ["created_at"])

    op.create_table(
        "link_tokens",
        sa.Column("jti", sa.String(32), nullable=False),
        sa.Column("customer_id", sa.String(32), nullable=False),
        sa.Column("source_channel", sa.String(200), nullable=False),
        sa.Column("target_channel", sa.String(200), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("expires_at", Timestamp, nullable=False),
        sa.Column("used_at", Timestamp, nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name="fk_link_tokens_customer_id_customers"
        ),
        sa.PrimaryKeyConstraint("jti", name="pk_link_tokens"),
    )
    op.create_index("ix_link_tokens_customer_id", "link_tokens", ["customer_id"])
    op.create_index("ix_link_tokens_expires_at", "link_tokens", ["expires_at"])


def downgrade() -> None:
    for table in ("link_tokens", "idempotent_requests", "api_keys"):
        op.drop_table(table)
