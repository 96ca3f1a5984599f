"""Pieces shared by the API routers: paging parameters and the page envelope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from core.errors import InvalidInput
from web.queries import Paged
from web.schemas import Page

T = TypeVar("T")


@dataclass(frozen=True)
class Paging:
    page: int
    per_page: int


def paging(
    page: Annotated[int, Query(ge=1, le=100_000, description="1-based page number")] = 1,
    per_page: Annotated[int, Query(ge=1, le=100, description="items per page")] = 20,
) -> Paging:
    return Paging(page, per_page)


Pagination = Annotated[Paging, Depends(paging)]


def page_of(found: Paged[Any], items: list[T]) -> Page[T]:
    return Page(items=items, total=found.total, page=found.page, per_page=found.per_page,
                   pages=found.pages)


def known_query_only(request: Request) -> None:
    """Refuse query parameters an operation does not have: a misspelt filter (`?stat=draft`)
    must not silently return everything."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.query_params:
        return
    known = _query_names(route.dependant)
    for name in request.query_params:
        if name not in known:
            raise InvalidInput(f"query.{name}"[:80], "unknown query parameter")


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names
