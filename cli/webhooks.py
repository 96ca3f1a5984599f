"""`pressroom webhooks`: the endpoints release events are posted to, signed (see docs/webhooks.md)."""

from __future__ import annotations

import click

from cli.output import json_option, print_json, print_table
from cli.relay import relay_now
from core.db import session_scope
from core.errors import PressroomError
from webhooks import delivery, endpoints
from webhooks.models import EVENTS
from workflow.users import get_user

_as = click.option("--as", "actor_email", default=None, metavar="EMAIL",
                   help="Acting user (an admin); left out, the change is the operator's.")


class PingRefused(PressroomError):
    """A test delivery that the receiver did not accept."""


@click.group()
def webhooks() -> None:
    """Endpoints that receive signed release events (release.published, release.withdrawn)."""


@webhooks.command("add")
@click.argument("url")
@click.option("--events", required=True, help=f"Comma-separated: {', '.join(EVENTS)}.")
@click.option("--embargoed", is_flag=True, help="Receives releases before their embargo lifts (the payload says so).")
@click.option("--description", default="", help="What the endpoint is (at most 200 characters).")
@_as
@json_option
def add(url: str, events: str, embargoed: bool, description: str, actor_email: str | None, as_json: bool) -> None:
    """Add an endpoint; its signing secret is printed this once."""
    with session_scope() as session:
        actor = get_user(session, actor_email) if actor_email else None
        made = endpoints.add_endpoint(session, actor, url, events, embargoed, description)
        view = {**endpoints.endpoint_view(made.endpoint), "secret": made.secret}
    relay_now()
    if as_json:
        print_json(view)
        return
    click.echo(f"webhook {view['id']}: {view['url']} ({', '.join(view['events'])}"  # type: ignore[arg-type]
               f"{'; embargoed releases too' if embargoed else ''})")
    click.echo(f"secret (shown once, keep it with the receiver): {made.secret}")


@webhooks.command("list")
@json_option
def list_(as_json: bool) -> None:
    """Every endpoint: its events, whether it gets embargoed releases, and its state."""
    with session_scope() as session:
        rows = [endpoints.endpoint_view(e) for e in endpoints.list_endpoints(session)]
    if as_json:
        print_json(rows)
        return
    print_table([{**r, "events": ",".join(r["events"]),  # type: ignore[arg-type]
                  "embargoed": "yes" if r["embargoed"] else "no",
                  "state": "active" if r["active"] else f"disabled: {r['disabled_reason']}"} for r in rows],
                ["id", "url", "events", "embargoed", "state"])


@webhooks.command("remove")
@click.argument("endpoint_id", type=int)
@_as
def remove(endpoint_id: int, actor_email: str | None) -> None:
    """Stop sending to an endpoint (its unsent deliveries are cancelled; its history stays)."""
    with session_scope() as session:
        actor = get_user(session, actor_email) if actor_email else None
        endpoint = endpoints.remove_endpoint(session, actor, endpoint_id)
        url = endpoint.url
    relay_now()
    click.echo(f"webhook {endpoint_id} removed: {url}")


@webhooks.command("rotate")
@click.argument("endpoint_id", type=int)
@click.option("--overlap", type=float, default=None, metavar="SECONDS",
              help="How long the old secret still signs (default PRESSROOM_WEBHOOK_SECRET_OVERLAP).")
@_as
def rotate(endpoint_id: int, overlap: float | None, actor_email: str | None) -> None:
    """A new signing secret, printed this once; the old one signs too until the overlap ends."""
    with session_scope() as session:
        actor = get_user(session, actor_email) if actor_email else None
        made = endpoints.rotate_secret(session, actor, endpoint_id, overlap)
    relay_now()
    until = f"; the old one signs too until {made.previous_expires_at.isoformat()}" if made.previous_expires_at else ""
    click.echo(f"webhook {endpoint_id}: new secret (shown once): {made.secret}{until}")


@webhooks.command("enable")
@click.argument("endpoint_id", type=int)
@_as
def enable(endpoint_id: int, actor_email: str | None) -> None:
    """Send to a disabled endpoint again."""
    with session_scope() as session:
        actor = get_user(session, actor_email) if actor_email else None
        endpoints.enable_endpoint(session, actor, endpoint_id)
    relay_now()
    click.echo(f"webhook {endpoint_id} enabled")


@webhooks.command("test")
@click.argument("endpoint_id", type=int)
def test(endpoint_id: int) -> None:
    """Send a signed `webhook.test` event now and say what the receiver answered (exit 1 unless 2xx)."""
    with session_scope() as session:
        endpoint = endpoints.get_endpoint(session, endpoint_id)
        delivery_id = delivery.ping(session, endpoint)
        url = endpoint.url
    outcome = delivery.attempt(delivery_id)
    if outcome.kind != "delivered":
        raise PingRefused(f"webhook {endpoint_id} ({url}) did not accept the test: {outcome.error}")
    click.echo(f"webhook {endpoint_id}: test delivered, HTTP {outcome.status_code}")


@webhooks.command("deliveries")
@click.argument("endpoint_id", type=int)
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
@json_option
def deliveries(endpoint_id: int, limit: int, as_json: bool) -> None:
    """An endpoint's latest deliveries with every attempt: status, latency, the answer's start."""
    with session_scope() as session:
        endpoints.get_endpoint(session, endpoint_id)
        rows = [{"id": d.id, "event": d.event, "release_id": d.release_id, "key": d.idempotency_key,
                 "status": d.status.value, "next_attempt_at": d.next_attempt_at.isoformat(),
                 "last_error": d.last_error,
                 "attempts": [{"number": a.number, "at": a.at.isoformat(), "status_code": a.status_code,
                               "latency_ms": a.latency_ms, "outcome": a.outcome, "error": a.error,
                               "response": a.response_excerpt} for a in tries]}
                for d, tries in delivery.history(session, endpoint_id, limit)]
    if as_json:
        print_json(rows)
        return
    table = []
    for row in rows:
        tries: list[dict[str, object]] = row["attempts"]  # type: ignore[assignment]
        last = tries[-1] if tries else None
        table.append({"id": row["id"], "event": row["event"], "release": row["release_id"] or "-",
                      "status": row["status"], "tries": len(tries),
                      "last": (f"{last['status_code'] or '-'} {last['latency_ms']} ms {last['error']}".strip()
                               if last else "-")})
    print_table(table, ["id", "event", "release", "status", "tries", "last"])


@webhooks.command("redeliver")
@click.argument("delivery_id", type=int)
@_as
def redeliver(delivery_id: int, actor_email: str | None) -> None:
    """Send a delivery again (same idempotency key, a new round of tries)."""
    with session_scope() as session:
        actor = get_user(session, actor_email) if actor_email else None
        delivery.redeliver(session, actor, delivery_id)
    relay_now()
    click.echo(f"webhook delivery {delivery_id} queued again")
