"""/api/workflows: the approval chain of each release kind; admins change it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from web.auth import ApiUser
from web.deps import acting, attach, reading
from web.errors import api_responses
from web.schemas import ChainIn, ChainOut
from workflow.chains import chains_view, clear_chain, set_chain
from workflow.models import ReleaseKind

router = APIRouter(prefix="/workflows", tags=["workflows"])
Kind = Annotated[ReleaseKind, Path(description="a release kind")]


def _one(kind: ReleaseKind) -> ChainOut:
    with reading() as session:
        return ChainOut.model_validate(next(row for row in chains_view(session) if row["kind"] == kind.value))


@router.get("", response_model=list[ChainOut], responses=api_responses(401))
def list_chains(user: ApiUser) -> list[ChainOut]:
    """Every kind with its chain (the default where none is set)."""
    with reading() as session:
        return [ChainOut.model_validate(row) for row in chains_view(session)]


@router.get("/{kind}", response_model=ChainOut, responses=api_responses(401, 422))
def show(user: ApiUser, kind: Kind) -> ChainOut:
    """The chain of one kind."""
    return _one(kind)


@router.put("/{kind}", response_model=ChainOut, responses=api_responses(401, 403, 422))
def change(user: ApiUser, kind: Kind, body: ChainIn) -> ChainOut:
    """Set the chain of `kind` (admins); releases submitted from now on go through it."""
    with acting() as session:
        set_chain(session, attach(session, user), kind.value, [step.model_dump() for step in body.steps],
                  body.allow_same_approver)
    return _one(kind)


@router.delete("/{kind}", status_code=204, responses=api_responses(401, 403, 404))
def clear(user: ApiUser, kind: Kind) -> Response:
    """Remove the chain of `kind` (admins): later submissions get the default."""
    with acting() as session:
        clear_chain(session, attach(session, user), kind.value)
    return Response(status_code=204)
