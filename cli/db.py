"""`pressroom db`: the database schema."""

from __future__ import annotations

import click

from core import migrate


@click.group()
def db() -> None:
    """Manage the database schema."""


@db.command()
@click.option("--revision", default="head", show_default=True, help="Target migration.")
def upgrade(revision: str) -> None:
    """Create or migrate the database to the latest schema."""
    migrate.upgrade(revision=revision)
    click.echo(f"database at revision {migrate.current()}")


@db.command()
def current() -> None:
    """Print the schema revision the database is at."""
    click.echo(migrate.current() or "empty (run `pressroom db upgrade`)")
