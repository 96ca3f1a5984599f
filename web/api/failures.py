"""/api/failures: the dead letters (events whose handlers failed too often), for admins to retry
or discard; the same as `pressroom failures`."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path

from core.outbox import dead_letter_view, dead_letters, get_event
from web.auth import ApiUser
from web.deps import act_on_dead_letter, reading
from web.errors import api_responses
from web.schemas import DeadLetterOut
from workflow.guards import require_role

router = APIRouter(prefix="/failures", tags=["failures"])
EventId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="event id")]
ACTION = "handle failed events"


def view(event_id: str) -> DeadLetterOut:
    with reading() as session:
        return DeadLetterOut.model_validate(dead_letter_view(get_event(session, event_id)))


@router.get("", response_model=list[DeadLetterOut], responses=api_responses(401, 403, 422))
def list_failures(user: ApiUser, include_discarded: bool = False) -> list[DeadLetterOut]:
    """Open dead letters, newest first (with `include_discarded`, the discarded ones too)."""
    require_role(user, ACTION)
    with reading() as session:
        return [DeadLetterOut.model_validate(dead_letter_view(e)) for e in dead_letters(session, include_discarded)]


@router.get("/{event_id}", response_model=DeadLetterOut, responses=api_responses(401, 403, 404, 422))
def get_failure(user: ApiUser, event_id: EventId) -> DeadLetterOut:
    """One failed event: its failures and last error."""
    require_role(user, ACTION)
    return view(event_id)


@router.post("/{event_id}/{action}", response_model=DeadLetterOut, responses=api_responses(401, 403, 404, 409, 422))
def act_on_failure(user: ApiUser, event_id: EventId, action: Literal["retry", "discard"]) -> DeadLetterOut:
    """retry (after fixing the cause: handlers that succeeded do not run twice) or discard.
    409 unless the event is an open dead letter."""
    require_role(user, ACTION)
    act_on_dead_letter(event_id, action)
    return view(event_id)
