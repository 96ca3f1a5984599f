"""The failed-events page (admins): the open dead letters, each with retry and discard; the same
as `pressroom failures` and /api/failures."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from core.outbox import dead_letter_view, dead_letters
from web.auth import PressUser
from web.deps import act_on_dead_letter, reading
from web.i18n import translate, ui_language
from web.pages import flash, redirect, render
from workflow.guards import require_role

router = APIRouter()
EventId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
ACTION = "handle failed events"


@router.get("/failures")
def failures_page(request: Request, user: PressUser) -> Response:
    require_role(user, ACTION)
    with reading() as session:
        rows = [dead_letter_view(event) for event in dead_letters(session)]
    return render(request, "press/failures.html", {"rows": rows})


@router.post("/failures/{event_id}/{action}")
def act_on_failure(request: Request, user: PressUser, event_id: EventId,
                   action: Literal["retry", "discard"]) -> Response:
    """Retry an open dead letter (it is relayed at once) or discard it."""
    require_role(user, ACTION)
    act_on_dead_letter(event_id, action)
    key = "failure_retried" if action == "retry" else "failure_discarded"
    flash(request, translate(key, ui_language(user.language), event=event_id))
    return redirect("/press/failures")
