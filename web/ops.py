"""Operations: /healthz (database, broker and rate limiter work; no dead letter waits) and /metrics
(Prometheus text format)."""

from __future__ import annotations

import hmac
import ipaddress
import logging
from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import text

from core.db import session_scope, utcnow
from core.outbox import dead_letter_count, pending_count
from core.settings import get_settings
from reports.metrics import report_lines
from web.queries import deliveries_by_status, releases_by_state, sent_since

log = logging.getLogger(__name__)
router = APIRouter(tags=["operations"], include_in_schema=False)
RATE_WINDOW = 60


def _check_database() -> str:
    try:
        with session_scope() as session:
            session.execute(text("SELECT 1"))
        return "ok"
    except Exception as exc:  # noqa: BLE001 - any failure is "down", reported not raised
        log.warning("health: database down: %s", exc)
        return f"down: {type(exc).__name__}"


def _check_broker() -> str:
    from core.broker import redis_client

    try:
        redis_client().ping()
        return "ok"
    except Exception as exc:  # noqa: BLE001
        log.warning("health: broker down: %s", exc)
        return f"down: {type(exc).__name__}"


def _check_rate_limiter() -> str:
    """The sign-in limit fails closed: a limiter that cannot count means nobody signs in."""
    from web.ratelimit import probe

    problem = probe()
    if problem is None:
        return "ok"
    log.warning("health: rate limiter down: %s", problem)
    return f"down: rate limiter cannot count ({problem})"


def _dead_letters() -> int | None:
    """Open dead letters, or None when the database cannot say."""
    try:
        with session_scope() as session:
            return dead_letter_count(session)
    except Exception as exc:  # noqa: BLE001 - the database check reports it
        log.warning("health: dead letters not counted: %s", exc)
        return None


@router.get("/healthz")
def healthz() -> JSONResponse:
    """200 when the database and the broker answer and the rate limiter counts, 503 (saying which
    is down) otherwise; `degraded` (still 200: the site serves) while an event waits in the dead
    letters for an admin (`pressroom failures`)."""
    checks = {"database": _check_database(), "broker": _check_broker(), "rate_limiter": _check_rate_limiter()}
    healthy = all(value == "ok" for value in checks.values())
    dead = _dead_letters() if checks["database"] == "ok" else None
    status = "unavailable" if not healthy else "degraded" if dead else "ok"
    return JSONResponse({"status": status, **checks, "dead_letters": dead}, status_code=200 if healthy else 503)


def _line(name: str, value: float, labels: dict[str, str] | None = None) -> str:
    if labels:
        inner = ",".join(f'{key}="{val}"' for key, val in labels.items())
        return f"{name}{{{inner}}} {value:g}"
    return f"{name} {value:g}"


def _may_read_metrics(request: Request) -> bool:
    """The counts tell that something was published or mailed, embargoed news included, so they
    are not public: a scraper shows PRESSROOM_METRICS_TOKEN as a bearer token, or, with none
    set, asks from this machine (a sidecar or a local Prometheus)."""
    token = get_settings().metrics_token
    if token:
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), token.encode())
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@router.get("/metrics", response_model=None)
def metrics(request: Request) -> PlainTextResponse | JSONResponse:
    """Releases by state, deliveries by status, the send rate, the outbox backlog, whether the
    rate limiter works, and the reports' counters (`reports.metrics.PROVIDERS`)."""
    from web.ratelimit import probe, unenforced

    if not _may_read_metrics(request):
        return JSONResponse({"error": "forbidden", "message": "metrics need PRESSROOM_METRICS_TOKEN as a "
                             "bearer token, or a request from this machine"}, status_code=403)
    now = utcnow()
    with session_scope() as session:
        states = releases_by_state(session)
        statuses = deliveries_by_status(session)
        recent = sent_since(session, now - timedelta(seconds=RATE_WINDOW))
        backlog = pending_count(session)
        dead = dead_letter_count(session)
        reports = report_lines(session)
    limiter_up = probe() is None
    lines = [
        "# HELP pressroom_releases Releases in each workflow state.",
        "# TYPE pressroom_releases gauge",
        *(_line("pressroom_releases", n, {"state": s}) for s, n in states.items()),
        "# HELP pressroom_deliveries Deliveries (one message to one subscriber) in each status.",
        "# TYPE pressroom_deliveries gauge",
        *(_line("pressroom_deliveries", n, {"status": s}) for s, n in statuses.items()),
        f"# HELP pressroom_send_rate_per_second Messages sent per second over the last {RATE_WINDOW} seconds.",
        "# TYPE pressroom_send_rate_per_second gauge",
        _line("pressroom_send_rate_per_second", round(recent / RATE_WINDOW, 3)),
        "# HELP pressroom_outbox_pending Outbox events not handled yet.",
        "# TYPE pressroom_outbox_pending gauge",
        _line("pressroom_outbox_pending", backlog),
        "# HELP pressroom_dead_letters Events whose handlers failed too often, waiting for an admin (pressroom failures).",
        "# TYPE pressroom_dead_letters gauge",
        _line("pressroom_dead_letters", dead),
        ("# HELP pressroom_rate_limiter_up Whether the rate limiter's counter runs on Redis (0: sign-in answers 503, "
        "sign-ups go unlimited)."),
        "# TYPE pressroom_rate_limiter_up gauge",
        _line("pressroom_rate_limiter_up", 1 if limiter_up else 0),
        ("# HELP pressroom_rate_limit_unenforced_total Requests this process let through unlimited because the "
        "rate limiter did not work."),
        "# TYPE pressroom_rate_limit_unenforced_total counter",
        _line("pressroom_rate_limit_unenforced_total", unenforced()),
        *reports,
    ]
    return PlainTextResponse("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4; charset=utf-8")
