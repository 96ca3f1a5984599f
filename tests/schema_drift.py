"""How a migrated database differs from the models, for the tables a migration test owns."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from core.db import get_engine
from core.models import load_all_models


def schema_drift(url: str, tables: set[str]) -> list[object]:
    """Alembic's differences between the database at `url` and the models, only for `tables`:
    other rooms' drift is theirs to report."""
    load_all_models()
    with get_engine(url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, SQLModel.metadata)
    return [d for d in diffs if any(f"'{t}'" in repr(d) or f"<{t}>" in repr(d) for t in tables)]
