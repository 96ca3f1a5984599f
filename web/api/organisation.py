"""/api/organisation: the identity every mail prints, per language; admins change it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from web.auth import ApiUser
from web.deps import acting, attach, reading
from web.errors import api_responses
from web.schemas import MAX_ID, Language, OrganisationIn, OrganisationOut
from workflow.organisation import change_organisation, identity_view, organisation_identity

router = APIRouter(prefix="/organisation", tags=["organisation"])


@router.get("", response_model=OrganisationOut, responses=api_responses(401, 404, 422))
def show(user: ApiUser, version: Annotated[int | None, Query(
        ge=1, le=MAX_ID, description="this version (default: the current one)")] = None) -> OrganisationOut:
    """The current version of the identity (or `version`): per language as stored, and as mail prints it."""
    with reading() as session:
        return OrganisationOut.model_validate(identity_view(organisation_identity(session, version)))


@router.put("/{language}", response_model=OrganisationOut, responses=api_responses(401, 403, 409, 422))
def change(user: ApiUser, language: Annotated[Language, Path(description="a configured language")],
           body: OrganisationIn) -> OrganisationOut:
    """Replace the identity in `language` as a new version (admins). Unchanged values make no
    version; the answer is then the current one."""
    with acting() as session:
        change_organisation(session, attach(session, user), language, body.values(), email=body.email,
                            expected_version=body.expected_version)
        return OrganisationOut.model_validate(identity_view(organisation_identity(session)))
