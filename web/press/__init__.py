"""The press-office UI under /press: server-rendered pages, a session cookie, CSRF on every form."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from web.auth import csrf_protect
from web.press import (
    account,
    audience,
    comments,
    contacts,
    distributions,
    failures,
    imports,
    media,
    organisation,
    password_links,
    privacy,
    releases,
    session,
    sso,
    topics,
    users,
    webhooks,
    workflows,
)


def include(app: FastAPI) -> None:
    """Mount every press page under /press, each behind the CSRF check."""
    for module in (session, sso, password_links, account, imports, releases, comments, media, distributions, audience,
                   organisation, users, contacts, privacy, topics, webhooks, failures, workflows):
        app.include_router(module.router, prefix="/press", dependencies=[Depends(csrf_protect)],
                           include_in_schema=False)


__all__ = ["include"]
