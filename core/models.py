"""Imports every room's tables so that SQLModel's metadata knows the whole schema."""

from __future__ import annotations


def load_all_models() -> None:
    """Register all tables (for migrations and test databases)."""
    import core.outbox  # noqa: F401
    import delivery.models  # noqa: F401
    import media.models  # noqa: F401
    import reports.link_tables
    import reports.models  # noqa: F401
    import subscribers.models  # noqa: F401
    import webhooks.models  # noqa: F401
    import workflow.chains
    import workflow.models
    import workflow.topics
    import workflow.withdrawals  # noqa: F401
