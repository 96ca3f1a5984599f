"""The press-office UI under /press: server-rendered pages, a session cookie, CSRF on every form."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from web.auth import csrf_protect
from web.press import (
    account,
    audience,
    contacts,
    distributions,
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
    workflows,
)


def include(app: FastAPI) -> None:
    """Mount every press page under /press, each behind the CSRF check."""
    for module in (session, sso, password_links, account, imports, releases, media, distributions, audience, organisation,
                   users, contacts, privacy, topics, workflows):
        app.include_router(module.router, prefix="/press", dependencies=[Depends(csrf_protect)],
                           include_in_schema=False)


__all__ = ["include"]
