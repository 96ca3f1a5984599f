"""The distribution page: live progress of a mailing, and pause / resume / cancel / retry."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from core.db import utcnow
from delivery import engine
from delivery.progress import distribution_view
from reports.clicks import clicks_for_distribution, opens_for_distribution
from reports.mailing import FAILURE_CLASSES, mailing_report
from reports.readership import readership_of
from web.api.distributions import control, view
from web.auth import PressUser
from web.deps import reading
from web.i18n import translate, ui_language
from web.pages import flash, redirect, render
from web.queries import distributions_page
from web.report_charts import FIGURES, duration, part_label, report_charts
from web.schemas import MAX_ID
from workflow.guards import require_role

router = APIRouter()
DistributionId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/distributions")
def distributions(request: Request, user: PressUser,
                  page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> Response:
    with reading() as session:
        found = distributions_page(session, page, 25)
    rows = [distribution_view(i) for i in found.items]
    return render(request, "press/distributions.html", {"rows": rows, "found": found})


@router.get("/distributions/{distribution_id}")
def distribution_page(request: Request, user: PressUser, distribution_id: DistributionId) -> Response:
    with reading() as session:
        distribution = engine.get_distribution(session, distribution_id)
        release_id = distribution.release_id
    return render(request, "press/distribution.html",
                  {"d": distribution_view(distribution_id), "release_id": release_id})


@router.get("/distributions/{distribution_id}/report")
def report_page(request: Request, user: PressUser, distribution_id: DistributionId) -> Response:
    """The mailing report with its charts (server-drawn SVG) and data tables."""
    with reading() as session:
        report = mailing_report(session, distribution_id)
        links = clicks_for_distribution(session, distribution_id)
        opens = opens_for_distribution(session, distribution_id)
        readership = readership_of(session, report.release_id) if report.release_id else None
    language = ui_language(user.language)
    lifted = report.embargo_until is not None and report.embargo_until <= utcnow()
    return render(request, "press/report.html", {"r": report, "charts": report_charts(report, language),
                                                 "links": links, "opens": opens, "readership": readership,
                                                 "embargo_lifted": lifted,
                                                 "figures": FIGURES, "reasons": FAILURE_CLASSES,
                                                 "duration": lambda s: duration(s, language),
                                                 "part_label": lambda p, is_language: part_label(p, language,
                                                                                                 is_language)})


@router.get("/distributions/{distribution_id}/progress")
def progress(user: PressUser, distribution_id: DistributionId) -> Response:
    """The figures the page polls for its live progress bar."""
    return JSONResponse(view(distribution_id).model_dump(mode="json"))


@router.post("/distributions/{distribution_id}/{action}")
def control_page(request: Request, user: PressUser, distribution_id: DistributionId,
                 action: Literal["pause", "resume", "cancel", "retry-failed"]) -> Response:
    require_role(user, "control distributions")
    result = control(distribution_id, action)
    language = ui_language(user.language)
    flash(request, translate("control_done", language, action=translate(action, language),
                             status=translate(f"mailing_{result.status}", language)))
    return redirect(f"/press/distributions/{distribution_id}")
