"""Needs, complaints with their transitions, and satisfaction readings.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen copies of the column types: a migration must not change when models do.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table('needs',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('customer_id', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=100), nullable=False),
    sa.Column('product', sa.String(length=200), nullable=True),
    sa.Column('budget', sa.String(length=100), nullable=True),
    sa.Column('timeframe', sa.String(length=100), nullable=True),
    sa.Column('words', sa.Text(), nullable=False),
    sa.Column('created_at', Timestamp, nullable=False),
    sa.Column('channel', sa.String(length=200), nullable=False),
    sa.Column('conversation_id', sa.String(length=200), nullable=True),
    sa.Column('message_id', sa.String(length=200), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name='fk_needs_customer_id_customers'),
    sa.PrimaryKeyConstraint('id', name='pk_needs')
    )
    op.create_index('ix_needs_customer', 'needs', ['customer_id', 'created_at'])

    op.create_table('complaints',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('customer_id', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=True),
    sa.Column('product_ref', sa.String(length=200), nullable=True),
    sa.Column('order_ref', sa.String(length=200), nullable=True),
    sa.Column('related_to', BigId, nullable=True),
    sa.Column('created_at', Timestamp, nullable=False),
    sa.Column('updated_at', Timestamp, nullable=False),
    sa.Column('channel', sa.String(length=200), nullable=False),
    sa.Column('conversation_id', sa.String(length=200), nullable=True),
    sa.Column('message_id', sa.String(length=200), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name='fk_complaints_customer_id_customers'),
    sa.ForeignKeyConstraint(['related_to'], ['complaints.id'], name='fk_complaints_related_to_complaints'),
    sa.PrimaryKeyConstraint('id', name='pk_complaints')
    )
    op.create_index('ix_complaints_customer', 'complaints', ['customer_id', 'created_at'])
    op.create_index('ix_complaints_owner', 'complaints', ['owner', 'status'])
    op.create_index('ix_complaints_status', 'complaints', ['status', 'created_at'])

    op.create_table('complaint_transitions',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('complaint_id', BigId, nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('at', Timestamp, nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name='fk_complaint_transitions_complaint_id_complaints'),
    sa.PrimaryKeyConstraint('id', name='pk_complaint_transitions')
    )
    op.create_index('ix_complaint_transitions_complaint', 'complaint_transitions', ['complaint_id', 'id'])

    op.create_table('satisfaction_readings',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('customer_id', sa.String(length=32), nullable=False),
    sa.Column('level', sa.String(length=32), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_at', Timestamp, nullable=False),
    sa.Column('channel', sa.String(length=200), nullable=False),
    sa.Column('conversation_id', sa.String(length=200), nullable=True),
    sa.Column('message_id', sa.String(length=200), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name='fk_satisfaction_readings_customer_id_customers'),
    sa.PrimaryKeyConstraint('id', name='pk_satisfaction_readings')
    )
    op.create_index('ix_satisfaction_readings_customer', 'satisfaction_readings', ['customer_id', 'created_at'])


def downgrade() -> None:
    for table in (
        "satisfaction_readings",
        "complaint_transitions",
        "complaints",
        "needs",
    ):
        op.drop_table(table)
