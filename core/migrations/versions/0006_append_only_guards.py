"""revisions, approvals and the audit log are append-only in the database itself

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 10:00:00.000000

What was approved is exactly what goes out only if nobody can change the text after its approval,
nor the approval itself: an approval names a revision, and the audit log names both. Pressroom
never updates or deletes a row of `revision`, `approval` or `audit_entry`; from here on the
database refuses it to anyone who connects, a console included, with a message naming the table.

PostgreSQL: row triggers refuse UPDATE and DELETE, and a statement trigger refuses TRUNCATE
(which fires no row triggers), also when it reaches these tables through `TRUNCATE … CASCADE`
from `release`. SQLite has no TRUNCATE (`DELETE FROM` without a WHERE is refused like any DELETE).

0001 already made `audit_entry` refuse UPDATE and DELETE; this migration replaces those triggers
with the ones below, so that all three tables are guarded the same way and say the same thing.
Downgrading restores 0001's triggers on `audit_entry` and removes the rest.

Only a superuser can step around this, on purpose and visibly: `SET session_replication_role =
replica` skips these triggers (the test suite empties its PostgreSQL database that way). On
SQLite, a later migration that alters one of these tables in batch mode (copy, drop, rename)
drops its triggers with the old table: it must create them again.
"""

from __future__ import annotations

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

TABLES = ("audit_entry", "revision", "approval")
FUNCTION = "refuse_changes_to_append_only_table"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry")
        op.execute("DROP FUNCTION IF EXISTS audit_entry_append_only()")
        op.execute(
            f"""
            CREATE FUNCTION {FUNCTION}() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'restrict_violation',
                          HINT = 'rows of this table are never changed or removed';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
            )
    else:
        for table in TABLES:
            for verb in ("UPDATE", "DELETE"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb.lower()}")
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {verb} refused'); END"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
        # 0001's guard of the audit log, as it was.
        op.execute(
            """
            CREATE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'audit log is append-only';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry "
            "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()"
        )
    else:
        for table in TABLES:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_entry_no_{verb.lower()} BEFORE {verb} ON audit_entry "
                "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"
            )
