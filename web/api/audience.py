"""/api/lists and /api/subscribers: mailing lists, the people on them, CSV import, erasure.

Lists are created, read and updated; they are never deleted (subscriptions and consent records
refer to them), a list that is no longer used is made private instead. Subscribers are added
to a list (double opt-in unless `confirmed`), read, updated, taken off a list, and erased.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Path, Query, UploadFile

from core.db import session_scope
from subscribers import (
    add_subscriber,
    all_lists,
    create_list,
    forget,
    get_list,
    import_csv,
    list_counts,
    unsubscribe,
    update_list,
    update_preferences,
)
from subscribers.errors import SubscriberNotFound
from subscribers.models import MailingList, Subscriber, SubscriberStatus
from web.api.common import Pagination, page_of
from web.auth import ApiUser
from web.deps import acting, reading, relay_events
from web.errors import api_responses
from web.queries import subscriber_view, subscribers_page
from web.schemas import (
    MAX_ID,
    ErasureOut,
    ImportOut,
    ListCreate,
    ListOut,
    ListUpdate,
    Page,
    SubscribeOut,
    SubscriberAdd,
    SubscriberOut,
    SubscriberUpdate,
)
from workflow.guards import require_role

router = APIRouter(tags=["lists and subscribers"])
SlugPath = Annotated[str, Path(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9-]+$")]
SubscriberId = Annotated[int, Path(ge=1, le=MAX_ID, description="subscriber id")]
Status = Literal["pending", "confirmed", "unsubscribed"]


def list_out(mailing_list: MailingList, counts: dict[int, dict[str, int]]) -> ListOut:
    return ListOut(
        slug=mailing_list.slug, name=mailing_list.name, description=mailing_list.description,
        default_language=mailing_list.default_language, visibility=mailing_list.visibility.value,
        receives_embargoed=mailing_list.receives_embargoed,
        counts=counts.get(mailing_list.id or 0, {"pending": 0, "confirmed": 0, "unsubscribed": 0}),
    )


@router.get("/lists", response_model=list[ListOut], responses=api_responses(401))
def lists(user: ApiUser) -> list[ListOut]:
    """Every mailing list, public and private, with subscription counts per status."""
    with reading() as session:
        counts = list_counts(session)
        return [list_out(m, counts) for m in all_lists(session)]


@router.post("/lists", status_code=201, response_model=ListOut, responses=api_responses(401, 403, 409, 422))
def new_list(user: ApiUser, body: ListCreate) -> ListOut:
    """Create a list; its slug is what releases name in `lists`. Approvers and admins only.
    `receives_embargoed` needs `visibility: private` (422 otherwise): anyone can join a public list."""
    require_role(user, "change list settings")
    with acting() as session:
        created = create_list(session, body.slug, body.name, body.description, body.default_language,
                              body.visibility, body.receives_embargoed)
        return list_out(created, list_counts(session, [created.id or 0]))


@router.get("/lists/{slug}", response_model=ListOut, responses=api_responses(401, 404, 422))
def one_list(user: ApiUser, slug: SlugPath) -> ListOut:
    with reading() as session:
        found = get_list(session, slug)
        return list_out(found, list_counts(session, [found.id or 0]))


@router.patch("/lists/{slug}", response_model=ListOut, responses=api_responses(401, 403, 404, 422))
def change_list(user: ApiUser, slug: SlugPath, body: ListUpdate) -> ListOut:
    """Change a list's name, description, language, visibility or embargo flag. Approvers and
    admins only. A list that receives embargoed releases must stay private (422 otherwise)."""
    require_role(user, "change list settings")
    with acting() as session:
        changed = update_list(session, slug, **body.model_dump(exclude_none=True))
        return list_out(changed, list_counts(session, [changed.id or 0]))


@router.get("/lists/{slug}/subscribers", response_model=Page[SubscriberOut],
            responses=api_responses(401, 404, 422))
def list_subscribers(user: ApiUser, slug: SlugPath, paging: Pagination, status: Status | None = None) -> Page[SubscriberOut]:
    """The people on a list (in one subscription status if asked), by address; paged."""
    with reading() as session:
        found = subscribers_page(session, list_slug=slug, status=status, page=paging.page, per_page=paging.per_page)
        return page_of(found, [SubscriberOut.model_validate(subscriber_view(session, s)) for s in found.items])


@router.post("/lists/{slug}/subscribers", status_code=201, response_model=SubscribeOut,
             responses=api_responses(401, 404, 409, 422))
def add_to_list(user: ApiUser, slug: SlugPath, body: SubscriberAdd) -> SubscribeOut:
    """Put an address on a list, public or private. Without `confirmed` it is double opt-in: a
    confirmation mail goes out. Details given replace the subscriber's."""
    with acting() as session:
        result = add_subscriber(
            session, body.email, slug, name=body.name, language=body.language,
            organisation=body.organisation, topics=body.topics, frequency=body.frequency,
            confirmed=body.confirmed, actor=user.email, source="api",
        )
        subscriber = session.get(Subscriber, result.subscriber_id) if result.subscriber_id else None
        view = None if subscriber is None else SubscriberOut.model_validate(subscriber_view(session, subscriber))
    return SubscribeOut(outcome=result.outcome.value, subscriber=view)


@router.delete("/lists/{slug}/subscribers/{subscriber_id}", response_model=SubscriberOut,
               responses=api_responses(401, 404, 422))
def remove_from_list(user: ApiUser, slug: SlugPath, subscriber_id: SubscriberId) -> SubscriberOut:
    """Unsubscribe someone from this list (recorded as a withdrawal of consent by an admin)."""
    with acting() as session:
        mailing_list = get_list(session, slug)
        subscriber = _subscriber(session, subscriber_id)
        unsubscribe(session, subscriber, [mailing_list.id or 0], source="admin", detail=user.email)
        return SubscriberOut.model_validate(subscriber_view(session, subscriber))


@router.post("/lists/{slug}/import", response_model=ImportOut, responses=api_responses(401, 404, 422))
def import_subscribers(
    user: ApiUser,
    slug: SlugPath,
    file: Annotated[UploadFile, File(description="CSV: email;name;language;organisation;topics")],
    confirmed: Annotated[bool, Form(description="the importer vouches for consent")] = False,
) -> ImportOut:
    """Import a CSV onto a list. Bad rows are skipped and reported with their line number and
    reason; the good ones are stored. Importing the same file twice changes nothing."""
    report = import_csv(session_scope, file.file, slug, confirmed=confirmed,
                        source_name=(file.filename or "upload")[:40])
    relay_events()
    return ImportOut.model_validate(report.as_dict())


@router.get("/subscribers", response_model=Page[SubscriberOut], responses=api_responses(401, 404, 422))
def find_subscribers(
    user: ApiUser,
    paging: Pagination,
    email: Annotated[str | None, Query(max_length=254)] = None,
    list: Annotated[str | None, Query(max_length=60)] = None,
    status: Status | None = None,
) -> Page[SubscriberOut]:
    """Subscribers by address, optionally one address, one list, one status; paged."""
    with reading() as session:
        found = subscribers_page(session, list_slug=list, status=status, email=email,
                                 page=paging.page, per_page=paging.per_page)
        return page_of(found, [SubscriberOut.model_validate(subscriber_view(session, s)) for s in found.items])


def _subscriber(session, subscriber_id: int) -> Subscriber:  # type: ignore[no-untyped-def]
    subscriber = session.get(Subscriber, subscriber_id)
    if subscriber is None or subscriber.status is SubscriberStatus.ERASED:
        raise SubscriberNotFound(f"#{subscriber_id}")
    return subscriber


@router.get("/subscribers/{subscriber_id}", response_model=SubscriberOut, responses=api_responses(401, 404, 422))
def get_subscriber(user: ApiUser, subscriber_id: SubscriberId) -> SubscriberOut:
    with reading() as session:
        return SubscriberOut.model_validate(subscriber_view(session, _subscriber(session, subscriber_id)))


@router.patch("/subscribers/{subscriber_id}", response_model=SubscriberOut, responses=api_responses(401, 404, 422))
def change_subscriber(user: ApiUser, subscriber_id: SubscriberId, body: SubscriberUpdate) -> SubscriberOut:
    """Change name, language, frequency or topics (an empty topic list means every topic)."""
    with acting() as session:
        subscriber = _subscriber(session, subscriber_id)
        update_preferences(session, subscriber, name=body.name, language=body.language,
                           frequency=body.frequency, topics=body.topics)
        return SubscriberOut.model_validate(subscriber_view(session, subscriber))


@router.delete("/subscribers/{subscriber_id}", response_model=ErasureOut,
               responses=api_responses(401, 403, 404, 422))
def erase_subscriber(user: ApiUser, subscriber_id: SubscriberId) -> ErasureOut:
    """Erase the person (right to erasure): the address stays only as a suppression hash.
    Admins only: it cannot be undone."""
    require_role(user, "erase subscribers")
    with acting() as session:
        subscriber = _subscriber(session, subscriber_id)
        result = forget(session, subscriber.email or "", actor=user.email)
    return ErasureOut.model_validate(asdict(result))

