"""`pressroom failures`: the dead letters, events whose handlers failed too often (core/outbox.py)."""

from __future__ import annotations

import click

from cli.output import json_option, print_json, print_mapping, print_table
from cli.relay import relay_now
from core.db import session_scope
from core.outbox import (
    dead_letter_view,
    dead_letters,
    discard_dead_letter,
    get_event,
    retry_dead_letter,
)


@click.group()
def failures() -> None:
    """See and act on events whose handlers failed PRESSROOM_EVENT_MAX_ATTEMPTS times."""


@failures.command("list")
@click.option("--all", "include_discarded", is_flag=True, help="Also the discarded ones.")
@json_option
def list_(include_discarded: bool, as_json: bool) -> None:
    """Open dead letters, newest first."""
    with session_scope() as session:
        rows = [dead_letter_view(event) for event in dead_letters(session, include_discarded)]
    if as_json:
        print_json(rows)
    else:
        print_table(rows, ["id", "name", "subject_id", "state", "failures", "dead_at", "last_error"])


@failures.command("show")
@click.argument("event_id")
@json_option
def show(event_id: str, as_json: bool) -> None:
    """One failed event: what it is about, how often it failed and its last error."""
    with session_scope() as session:
        view = dead_letter_view(get_event(session, event_id))
    if as_json:
        print_json(view)
    else:
        print_mapping({key: value for key, value in view.items() if key != "payload"} | {"payload": str(view["payload"])})


@failures.command("retry")
@click.argument("event_id")
def retry(event_id: str) -> None:
    """Try a dead letter again (after fixing its cause); handlers that succeeded do not run twice."""
    event = retry_dead_letter(event_id)
    relay_now()
    click.echo(f"event {event.id} ({event.name}) queued again")


@failures.command("discard")
@click.argument("event_id")
def discard(event_id: str) -> None:
    """Give up on a dead letter: it stays on record, no longer open."""
    event = discard_dead_letter(event_id)
    click.echo(f"event {event.id} ({event.name}) discarded")
