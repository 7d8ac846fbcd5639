"""Core tables: customers, identities, fact history and current facts, conversations, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen copies of the column types: a migration must not change when models do.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)
Document = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("merged_into", sa.String(32), nullable=True),
        sa.Column("erased_at", Timestamp, nullable=True),
        sa.ForeignKeyConstraint(
            ["merged_into"], ["customers.id"], name="fk_customers_merged_into_customers"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_customers"),
    )
    op.create_index("ix_customers_merged_into", "customers", ["merged_into"])

    op.create_table(
        "identities",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(200), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=False),
        sa.Column("customer_id", sa.String(32), nullable=False),
        sa.Column("linked_at", Timestamp, nullable=False),
        sa.Column("linked_by", sa.String(200), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name="fk_identities_customer_id_customers"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_identities"),
        sa.UniqueConstraint("channel", "external_id", name="uq_identities_channel"),
    )
    op.create_index("ix_identities_customer_id", "identities", ["customer_id"])

    op.create_table(
        "fact_observations",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(32), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(200), nullable=False),
        sa.Column("conversation_id", sa.String(200), nullable=True),
        sa.Column("message_id", sa.String(200), nullable=True),
        sa.Column("actor", sa.String(200), nullable=True),
        sa.Column("observed_at", Timestamp, nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("recorded_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name="fk_fact_observations_customer_id_customers"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_fact_observations"),
    )
    op.create_index(
        "ix_fact_observations_history",
        "fact_observations",
        ["customer_id", "key", "observed_at"],
    )

    op.create_table(
        "current_facts",
        sa.Column("customer_id", sa.String(32), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("observation_id", BigId, nullable=False),
        sa.Column("observed_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name="fk_current_facts_customer_id_customers"
        ),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["fact_observations.id"],
            name="fk_current_facts_observation_id_fact_observations",
        ),
        sa.PrimaryKeyConstraint("customer_id", "key", name="pk_current_facts"),
        sqlite_with_rowid=False,
    )

    op.create_table(
        "interactions",
        sa.Column("conversation_id", sa.String(200), nullable=False),
        sa.Column("customer_id", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(200), nullable=False),
        sa.Column("started_at", Timestamp, nullable=False),
        sa.Column("ended_at", Timestamp, nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name="fk_interactions_customer_id_customers"
        ),
        sa.PrimaryKeyConstraint("conversation_id", name="pk_interactions"),
    )
    op.create_index("ix_interactions_customer", "interactions", ["customer_id", "started_at"])

    op.create_table(
        "messages",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(200), nullable=False),
        sa.Column("sender", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(200), nullable=True),
        sa.Column("payload", Document, nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["interactions.conversation_id"],
            name="fk_messages_conversation_id_interactions",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_messages"),
        sa.UniqueConstraint("conversation_id", "message_id", name="uq_messages_message_id"),
    )
    op.create_index("ix_messages_conversation", "messages", ["conversation_id", "id"])

    op.create_table(
        "audit_log",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("at", Timestamp, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("customer_id", sa.String(32), nullable=False),
        sa.Column("other_customer_id", sa.String(32), nullable=True),
        sa.Column("detail", Document, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_customer", "audit_log", ["customer_id", "id"])


def downgrade() -> None:
    for table in (
        "audit_log",
        "messages",
        "interactions",
        "current_facts",
        "fact_observations",
        "identities",
        "customers",
    ):
        op.drop_table(table)
