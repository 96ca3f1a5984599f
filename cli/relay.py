"""Handing freshly committed events to the broker right after a CLI command."""

from __future__ import annotations

import click

from core.errors import ConfigurationError


def relay_now() -> None:
    """Send pending outbox events now; if the broker is down, the worker's relay sends them later."""
    from kombu.exceptions import OperationalError as BrokerError

    from core.outbox import relay_pending
    from tasks.events import send_event

    try:
        relay_pending(send_event)
    except (BrokerError, ConfigurationError, OSError) as exc:
        click.echo(
            f"warning: broker unreachable ({exc}); events stay in the outbox and are sent by "
            "the relay once a worker and beat run",
            err=True,
        )
