"""/api/distributions: the mailings, their progress, and pause / resume / cancel / retry."""

from __future__ import annotations

import logging
from typing import Annotated, Literal

from fastapi import APIRouter, Path

from delivery import engine
from delivery.models import DistributionStatus
from delivery.progress import distribution_view
from reports.mailing import mailing_report
from web.api.common import Pagination, page_of
from web.auth import ApiUser
from web.deps import reading
from web.errors import api_responses
from web.queries import distributions_page
from web.schemas import MAX_ID, DistributionOut, MailingReportOut, Page
from workflow.guards import require_role

log = logging.getLogger(__name__)
router = APIRouter(prefix="/distributions", tags=["distributions"])
DistributionId = Annotated[int, Path(ge=1, le=MAX_ID, description="distribution id")]
ControlAction = Literal["pause", "resume", "cancel", "retry-failed"]


def view(distribution_id: int) -> DistributionOut:
    return DistributionOut.model_validate(distribution_view(distribution_id))


def control(distribution_id: int, action: str) -> DistributionOut:
    """Apply a control action and, when the mailing is sending again, queue its batches."""
    distribution = engine.control(distribution_id, action)
    if distribution.status == DistributionStatus.SENDING:
        kick(distribution_id)
    return view(distribution_id)


def kick(distribution_id: int) -> None:
    """Queue the batches of a sending distribution; the sweeper does it later if the broker is down."""
    from kombu.exceptions import OperationalError as BrokerError

    from core.errors import ConfigurationError
    from tasks.distribution import fan_out

    try:
        fan_out.delay(distribution_id)
    except (BrokerError, ConfigurationError, OSError) as exc:
        log.warning("broker unreachable (%s); the sweeper will queue distribution %s", exc, distribution_id)


@router.get("", response_model=Page[DistributionOut], responses=api_responses(401, 422))
def list_distributions(user: ApiUser, paging: Pagination) -> Page[DistributionOut]:
    """Mailings, newest first; paged."""
    with reading() as session:
        found = distributions_page(session, paging.page, paging.per_page)
    return page_of(found, [view(i) for i in found.items])


@router.get("/{distribution_id}", response_model=DistributionOut, responses=api_responses(401, 404, 422))
def get_distribution(user: ApiUser, distribution_id: DistributionId) -> DistributionOut:
    """Status, deliveries per status, send rate, time left and the latest errors."""
    return view(distribution_id)


@router.get("/{distribution_id}/report", response_model=MailingReportOut, responses=api_responses(401, 404, 422))
def get_report(user: ApiUser, distribution_id: DistributionId) -> MailingReportOut:
    """What happened to the mailing, in numbers: accepted by the relay, deferred, failed by reason
    class, bounced hard or soft (later bounces included), unsubscribed through its link,
    complaints, skipped and held for the embargo; in total, per list and per language; and the
    delay from publication (or the embargo's lift) to the first and last accepted message, with
    its 50th, 90th and 99th percentile."""
    with reading() as session:
        return MailingReportOut.model_validate(mailing_report(session, distribution_id).as_dict())


@router.post("/{distribution_id}/{action}", response_model=DistributionOut,
             responses=api_responses(401, 403, 404, 409, 422))
def control_distribution(user: ApiUser, distribution_id: DistributionId, action: ControlAction) -> DistributionOut:
    """pause (batches in flight finish their current message), resume, cancel (unsent
    deliveries are skipped) or retry-failed. 409 when the status does not allow it; 403 for a
    spokesperson (approvers and admins control mailings)."""
    require_role(user, "control distributions")
    return control(distribution_id, action)
