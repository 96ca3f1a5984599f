"""embargoed news only to private lists; the public time of a release

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 23:50:00.000000

A list that receives embargoed releases must be private: anyone could otherwise sign up on the
public form and read embargoed news early. Lists that were both are made private here, and the
migration log names each one.

`release.public_at` is the moment a release became public: its publication, or the lift of its
embargo when that came later. The newsroom sorts and dates by it; existing published and
withdrawn releases get it from their publication and embargo times.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

import core.db

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def upgrade() -> None:
    connection = op.get_bind()
    both = connection.execute(sa.text(
        "SELECT slug FROM mailing_list WHERE receives_embargoed AND visibility = 'public' ORDER BY slug"
    )).scalars().all()
    for slug in both:
        log.warning("list %r receives embargoed releases and was public: it is now private "
                    "(only admins add people to it; public sign-up no longer offers it)", slug)
        public_door = ("FROM subscription WHERE list_id = (SELECT id FROM mailing_list WHERE slug = :slug) "
                       "AND source IN ('web', 'preferences')")
        # A sign-up still waiting for its confirmation must not complete into the closed list.
        pending = connection.execute(sa.text(
            f"UPDATE subscription SET status = 'unsubscribed', confirm_nonce = NULL {public_door.removeprefix('FROM subscription')} "
            "AND status = 'pending'"
        ), {"slug": slug}).rowcount
        joined = connection.execute(sa.text(f"SELECT count(*) {public_door} AND status = 'confirmed'"),
                                    {"slug": slug}).scalar_one()
        log.warning("list %r: %d unconfirmed public sign-ups cancelled; %d members joined through the public "
                    "form: an admin should review them (pressroom lists show %s)", slug, pending, joined, slug)
    if both:
        connection.execute(sa.text(
            "UPDATE mailing_list SET visibility = 'private' WHERE receives_embargoed AND visibility = 'public'"
        ))
    op.add_column('release', sa.Column('public_at', core.db.UTCDateTime(), nullable=True))
    connection.execute(sa.text(
        "UPDATE release SET public_at = CASE WHEN embargo_until IS NOT NULL AND embargo_until > published_at "
        "THEN embargo_until ELSE published_at END WHERE published_at IS NOT NULL"
    ))
    op.create_index('ix_release_state_public_at', 'release', ['state', 'public_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_release_state_public_at', table_name='release')
    op.execute("ALTER TABLE release DROP COLUMN public_at")  # SQLite 3.35+ and PostgreSQL
