"""The JSON API under /api, authenticated with bearer tokens only."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from web.api import (
    audience,
    comments,
    distributions,
    failures,
    imports,
    media,
    organisation,
    people,
    releases,
    webhooks,
    workflows,
)
from web.api.common import known_query_only

router = APIRouter(prefix="/api", dependencies=[Depends(known_query_only)])
router.include_router(people.router)
router.include_router(imports.router)
router.include_router(releases.router)
router.include_router(comments.router)
router.include_router(media.router)
router.include_router(audience.router)
router.include_router(distributions.router)
router.include_router(organisation.router)
router.include_router(webhooks.router)
router.include_router(failures.router)
router.include_router(workflows.router)

__all__ = ["router"]
