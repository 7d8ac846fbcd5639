"""Consents, the offer catalogue, offer events and purchases.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Frozen copies of the column types: a migration must not change when models do.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)
Document = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table('consents',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('customer_id', sa.String(length=32), nullable=False),
    sa.Column('purpose', sa.String(length=100), nullable=False),
    sa.Column('channel', sa.String(length=200), nullable=False),
    sa.Column('wording', sa.Text(), nullable=False),
    sa.Column('granted_at', Timestamp, nullable=False),
    sa.Column('revoked_at', Timestamp, nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name='fk_consents_customer_id_customers'),
    sa.PrimaryKeyConstraint('id', name='pk_consents')
    )
    op.create_index('ix_consents_customer', 'consents', ['customer_id', 'purpose'])

    op.create_table('offers',
    sa.Column('offer_id', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('purpose', sa.String(length=100), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('attributes', Document, nullable=False),
    sa.Column('updated_at', Timestamp, nullable=False),
    sa.PrimaryKeyConstraint('offer_id', name='pk_offers')
    )

    op.create_table('offer_events',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('customer_id', sa.String(length=32), nullable=False),
    sa.Column('offer_id', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('created_at', Timestamp, nullable=False),
    sa.Column('channel', sa.String(length=200), nullable=False),
    sa.Column('conversation_id', sa.String(length=200), nullable=True),
    sa.Column('message_id', sa.String(length=200), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name='fk_offer_events_customer_id_customers'),
    sa.PrimaryKeyConstraint('id', name='pk_offer_events')
    )
    op.create_index('ix_offer_events_customer', 'offer_events', ['customer_id', 'offer_id', 'created_at'])

    op.create_table('purchases',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('customer_id', sa.String(length=32), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('product', sa.String(length=200), nullable=False),
    sa.Column('purchased_at', Timestamp, nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=True),
    sa.Column('recorded_at', Timestamp, nullable=False),
    sa.Column('channel', sa.String(length=200), nullable=False),
    sa.Column('conversation_id', sa.String(length=200), nullable=True),
    sa.Column('message_id', sa.String(length=200), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name='fk_purchases_customer_id_customers'),
    sa.PrimaryKeyConstraint('id', name='pk_purchases'),
    sa.UniqueConstraint('reference', name='uq_purchases_reference')
    )
    op.create_index('ix_purchases_customer', 'purchases', ['customer_id', 'purchased_at'])


def downgrade() -> None:
    for table in (
        "purchases",
        "offer_events",
        "offers",
        "consents",
    ):
        op.drop_table(table)
