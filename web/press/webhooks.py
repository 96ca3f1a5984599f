"""The webhooks pages (admins): the endpoints with their state, a form to add one (its secret
shown on the answer page, this once, never in a URL or a cookie), rotating, enabling and removing;
an endpoint's deliveries with every attempt, and sending one again."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from core.errors import InvalidInput
from web.auth import PressUser, SubmittedForm
from web.deps import acting, attach, reading
from web.i18n import translate, ui_language
from web.pages import flash, redirect, render
from webhooks import delivery, endpoints
from webhooks.endpoints import NewSecret
from webhooks.models import EVENTS
from workflow.guards import require_role

router = APIRouter()
ACTION = "manage webhooks"
EndpointId = Annotated[int, Path(ge=1, le=2**31 - 1)]
DeliveryId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _page(request: Request, form: dict[str, Any] | None = None, error: InvalidInput | None = None,
          made: NewSecret | None = None, status: int = 200) -> Response:
    with reading() as session:
        rows = [endpoints.endpoint_view(e) for e in endpoints.list_endpoints(session)]
    shown = {"url": made.endpoint.url, "secret": made.secret,
             "until": made.previous_expires_at, "rotated": made.previous_expires_at is not None} if made else None
    return render(request, "press/webhooks.html", {"rows": rows, "events": EVENTS, "form": form or {"events": [EVENTS[0]]},
                                                   "error": error, "shown": shown}, status=status)


@router.get("/webhooks")
def webhooks_page(request: Request, user: PressUser) -> Response:
    require_role(user, ACTION)
    return _page(request)


@router.post("/webhooks")
def add_webhook(request: Request, user: PressUser, form: SubmittedForm) -> Response:
    """Add an endpoint; the answer page shows its secret once."""
    require_role(user, ACTION)
    chosen = [str(value) for value in form.getlist("events")]
    values = {"url": str(form.get("url") or "")[:2000], "events": chosen,
              "embargoed": form.get("embargoed") == "on", "description": str(form.get("description") or "")[:200]}
    try:
        with acting() as session:
            made = endpoints.add_endpoint(session, attach(session, user), values["url"], chosen,  # type: ignore[arg-type]
                                          bool(values["embargoed"]), str(values["description"]))
            session.flush()
            session.expunge(made.endpoint)
    except InvalidInput as error:
        return _page(request, values, error, status=422)
    return _page(request, made=made, status=201)


@router.post("/webhooks/{endpoint_id}/rotate")
def rotate_webhook(request: Request, user: PressUser, endpoint_id: EndpointId) -> Response:
    """A new secret, shown on the answer page once; the old one signs too for the overlap."""
    require_role(user, ACTION)
    with acting() as session:
        made = endpoints.rotate_secret(session, attach(session, user), endpoint_id)
        session.flush()
        session.expunge(made.endpoint)
    return _page(request, made=made)


@router.post("/webhooks/{endpoint_id}/enable")
def enable_webhook(request: Request, user: PressUser, endpoint_id: EndpointId) -> Response:
    require_role(user, ACTION)
    with acting() as session:
        url = endpoints.enable_endpoint(session, attach(session, user), endpoint_id).url
    flash(request, translate("webhook_enabled", ui_language(user.language), url=url))
    return redirect("/press/webhooks")


@router.post("/webhooks/{endpoint_id}/remove")
def remove_webhook(request: Request, user: PressUser, endpoint_id: EndpointId) -> Response:
    require_role(user, ACTION)
    with acting() as session:
        url = endpoints.remove_endpoint(session, attach(session, user), endpoint_id).url
    flash(request, translate("webhook_removed", ui_language(user.language), url=url))
    return redirect("/press/webhooks")


@router.get("/webhooks/{endpoint_id}")
def webhook_deliveries(request: Request, user: PressUser, endpoint_id: EndpointId) -> Response:
    """The endpoint's latest deliveries, each with every attempt."""
    require_role(user, ACTION)
    with reading() as session:
        endpoint = endpoints.endpoint_view(endpoints.get_endpoint(session, endpoint_id))
        rows = [{"id": d.id, "event": d.event, "release_id": d.release_id, "status": d.status.value,
                 "next_attempt_at": d.next_attempt_at, "last_error": d.last_error,
                 "attempts": [{"number": a.number, "at": a.at, "status_code": a.status_code, "latency_ms": a.latency_ms,
                               "outcome": a.outcome, "error": a.error, "response": a.response_excerpt} for a in tries]}
                for d, tries in delivery.history(session, endpoint_id)]
    return render(request, "press/webhook.html", {"endpoint": endpoint, "rows": rows})


@router.post("/webhooks/deliveries/{delivery_id}/redeliver")
def redeliver(request: Request, user: PressUser, delivery_id: DeliveryId) -> Response:
    require_role(user, ACTION)
    with acting() as session:
        endpoint_id = delivery.redeliver(session, attach(session, user), delivery_id).endpoint_id
    flash(request, translate("webhook_redelivered", ui_language(user.language), id=delivery_id))
    return redirect(f"/press/webhooks/{endpoint_id}")
