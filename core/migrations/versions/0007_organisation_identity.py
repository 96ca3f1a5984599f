"""the organisation's identity per language, with its history

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08 10:00:00.000000

The one-row `organisation` table becomes numbered versions (`organisation_version`: who, when,
what changed, the sender address) with the identity per language (`organisation_identity`:
name, address, phone, website, logo). The existing row is carried over as version 1 in the
default language (PRESSROOM_DEFAULT_LANGUAGE), with the logo mail printed: PRESSROOM_LOGO_URL
used to override the row's. Both tables are append-only (triggers refuse UPDATE and DELETE).
A database without the row gets version 1 from the settings on first use.

Downgrade puts the current version's default-language identity back into `organisation`.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import core.db
from core.settings import get_settings

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

TABLES = ("organisation_version", "organisation_identity")


def _version_table() -> sa.TableClause:
    return sa.table(
        'organisation_version',
        sa.column('id', sa.Integer()), sa.column('default_language', sa.String()),
        sa.column('email', sa.String()), sa.column('created_at', core.db.UTCDateTime()),
        sa.column('created_by_id', sa.Integer()), sa.column('created_by', sa.String()),
        sa.column('change', sa.String()),
    )


def _identity_table() -> sa.TableClause:
    return sa.table(
        'organisation_identity',
        sa.column('version_id', sa.Integer()), sa.column('language', sa.String()),
        *(sa.column(name, sa.String()) for name in ('name', 'address', 'phone', 'website', 'logo_url')),
    )


def _organisation_table() -> sa.TableClause:
    return sa.table(
        'organisation',
        *(sa.column(name, sa.String()) for name in ('name', 'address', 'website', 'email', 'logo_url')),
        sa.column('id', sa.Integer()),
    )


def _append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION {table}_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{table} is append-only: a change is a new version';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: a change is a new version'); END"
            )


def _drop_append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")


def upgrade() -> None:
    op.create_table('organisation_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('default_language', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('change', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('organisation_identity',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('website', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('logo_url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['organisation_version.id'], ),
    sa.PrimaryKeyConstraint('version_id', 'language')
    )

    connection = op.get_bind()
    old = _organisation_table()
    row = connection.execute(
        sa.select(old.c.name, old.c.address, old.c.website, old.c.email, old.c.logo_url).order_by(old.c.id)
    ).first()
    if row is not None:
        settings = get_settings()
        op.bulk_insert(_version_table(), [{
            'id': 1, 'default_language': settings.default_language, 'email': row.email,
            'created_at': core.db.utcnow(), 'created_by_id': None, 'created_by': 'migration',
            'change': 'carried over from the organisation table',
        }])
        op.bulk_insert(_identity_table(), [{
            'version_id': 1, 'language': settings.default_language, 'name': row.name,
            'address': row.address, 'phone': '', 'website': row.website,
            'logo_url': settings.logo_url or row.logo_url,
        }])
    op.drop_table('organisation')
    for table in TABLES:
        _append_only(table)


def downgrade() -> None:
    op.create_table('organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('website', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('logo_url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    connection = op.get_bind()
    version, identity = _version_table(), _identity_table()
    current = connection.execute(
        sa.select(version.c.id, version.c.default_language, version.c.email).order_by(version.c.id.desc())
    ).first()
    if current is not None:
        text = connection.execute(sa.select(identity).where(
            identity.c.version_id == current.id, identity.c.language == current.default_language
        )).first()
        if text is not None:
            op.bulk_insert(_organisation_table(), [{
                'id': 1, 'name': text.name, 'address': text.address, 'website': text.website,
                'email': current.email, 'logo_url': text.logo_url,
            }])
    for table in TABLES:
        _drop_append_only(table)
    op.drop_table('organisation_identity')
    op.drop_table('organisation_version')
