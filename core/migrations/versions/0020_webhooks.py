"""outgoing webhooks: endpoints, deliveries and their attempts

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 16:00:00.000000

`webhook_endpoint` holds the receivers admins add (URL, chosen events, whether they receive
embargoed releases, the signing secret and the previous one during a rotation); one
`webhook_delivery` per event and endpoint, unique by its idempotency key; one `webhook_attempt`
per HTTP request, with its status, latency and the start of the answer.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from core.db import UTCDateTime

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'webhook_endpoint',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column('events', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column('embargoed', sa.Boolean(), nullable=False),
        sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('secret', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('previous_secret', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column('previous_expires_at', UTCDateTime(), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('removed', sa.Boolean(), nullable=False),
        sa.Column('failures_in_a_row', sa.Integer(), nullable=False),
        sa.Column('disabled_at', UTCDateTime(), nullable=True),
        sa.Column('disabled_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'webhook_delivery',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('endpoint_id', sa.Integer(), nullable=False),
        sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('event', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('release_id', sa.Integer(), nullable=True),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('status', sa.Enum('pending', 'delivered', 'failed', 'cancelled', name='webhookstatus',
                                    native_enum=False, create_constraint=False, length=19), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('retries_from', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', UTCDateTime(), nullable=False),
        sa.Column('claimed_until', UTCDateTime(), nullable=True),
        sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('finished_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoint.id']),
        sa.ForeignKeyConstraint(['release_id'], ['release.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('idempotency_key'),
    )
    op.create_index('ix_webhook_delivery_endpoint_id', 'webhook_delivery', ['endpoint_id'])
    op.create_index('ix_webhook_delivery_release_id', 'webhook_delivery', ['release_id'])
    op.create_index('ix_webhook_delivery_status_next', 'webhook_delivery', ['status', 'next_attempt_at'])
    op.create_table(
        'webhook_attempt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('delivery_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('at', UTCDateTime(), nullable=False),
        sa.Column('status_code', sa.Integer(), nullable=True),
        sa.Column('latency_ms', sa.Integer(), nullable=False),
        sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column('response_excerpt', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.ForeignKeyConstraint(['delivery_id'], ['webhook_delivery.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_webhook_attempt_delivery_id', 'webhook_attempt', ['delivery_id'])


def downgrade() -> None:
    op.drop_index('ix_webhook_attempt_delivery_id', table_name='webhook_attempt')
    op.drop_table('webhook_attempt')
    op.drop_index('ix_webhook_delivery_status_next', table_name='webhook_delivery')
    op.drop_index('ix_webhook_delivery_release_id', table_name='webhook_delivery')
    op.drop_index('ix_webhook_delivery_endpoint_id', table_name='webhook_delivery')
    op.drop_table('webhook_delivery')
    op.drop_table('webhook_endpoint')
