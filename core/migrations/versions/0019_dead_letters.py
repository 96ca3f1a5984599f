"""dead letters: an outbox event's failures, last error, next try, and its dead-letter state

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 16:00:00.000000

An event whose handlers keep failing is tried again with backoff and, after
`PRESSROOM_EVENT_MAX_ATTEMPTS` failures, becomes a dead letter (`pressroom failures`).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from core.db import UTCDateTime

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox_event') as batch:
        batch.add_column(sa.Column('failures', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('retry_at', UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('dead_at', UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('discarded_at', UTCDateTime(), nullable=True))
    op.create_index('ix_outbox_event_dead_at', 'outbox_event', ['dead_at'])


def downgrade() -> None:
    op.drop_index('ix_outbox_event_dead_at', table_name='outbox_event')
    # ALTER TABLE … DROP COLUMN in place (SQLite 3.35+), not batch mode's copy of the table:
    # dropping the old copy would delete every event under the receipts that refer to it.
    for column in ('discarded_at', 'dead_at', 'retry_at', 'last_error', 'failures'):
        op.drop_column('outbox_event', column)
