"""the mailing report: bounces kept per delivery, unsubscribes and complaints counted per mailing

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 13:00:00.000000

`delivery.bounce` ("hard", "soft" or "") and `delivery.bounced_at` record a bounce that came back
after the relay accepted the message, apart from the error text (which an erasure empties);
`ix_delivery_sent` (partial: accepted messages only) serves the report's delay percentiles.
`mailing_tally` counts, per mailing, list, language and day, the unsubscribes through the
mailing's own link and the complaints: numbers only, no subscriber. Deliveries bounced before
this migration get their kind from the error text the bounce processor wrote.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import core.db

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('delivery') as batch:
        batch.add_column(sa.Column('bounce', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('bounced_at', core.db.UTCDateTime(), nullable=True))
    op.create_index('ix_delivery_sent', 'delivery', ['distribution_id', 'sent_at'], unique=False,
                    sqlite_where=sa.text('sent_at IS NOT NULL'), postgresql_where=sa.text('sent_at IS NOT NULL'))
    op.execute("UPDATE delivery SET bounce = 'hard' WHERE status = 'bounced' AND last_error LIKE 'hard bounce%'")
    op.execute("UPDATE delivery SET bounce = 'soft' WHERE status = 'bounced' AND last_error LIKE 'soft bounce%'")
    op.create_table(
        'mailing_tally',
        sa.Column('distribution_id', sa.Integer(), nullable=False),
        sa.Column('list_id', sa.Integer(), nullable=False),
        sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['distribution_id'], ['distribution.id']),
        sa.PrimaryKeyConstraint('distribution_id', 'list_id', 'language', 'day', 'kind'),
    )


def downgrade() -> None:
    op.drop_table('mailing_tally')
    op.drop_index('ix_delivery_sent', table_name='delivery')
    with op.batch_alter_table('delivery') as batch:
        batch.drop_column('bounced_at')
        batch.drop_column('bounce')
