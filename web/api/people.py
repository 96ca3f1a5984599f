"""/api/me and /api/contacts: the caller, and the contact blocks printed under releases."""

from __future__ import annotations

from fastapi import APIRouter
from sqlmodel import col, select

from web.auth import ApiUser
from web.deps import acting, attach, reading
from web.errors import api_responses
from web.schemas import ContactIn, ContactOut, MeOut
from workflow.models import Contact
from workflow.users import save_contact as save_directory_contact

router = APIRouter(tags=["people"])


@router.get("/me", response_model=MeOut, responses=api_responses(401))
def me(user: ApiUser) -> MeOut:
    """Who the API token belongs to."""
    return MeOut(id=user.id or 0, email=user.email, name=user.name, role=user.role.value, language=user.language)


def contact_out(contact: Contact) -> ContactOut:
    return ContactOut(id=contact.id or 0, email=contact.email, name=contact.name,
                      function=dict(contact.function or {}), phone=contact.phone, mobile=contact.mobile)


@router.get("/contacts", response_model=list[ContactOut], responses=api_responses(401))
def contacts(user: ApiUser) -> list[ContactOut]:
    """Every contact, by name; releases refer to them by id."""
    with reading() as session:
        return [contact_out(c) for c in session.exec(select(Contact).order_by(col(Contact.name))).all()]


@router.post("/contacts", response_model=ContactOut, responses=api_responses(401, 422))
def save_contact(user: ApiUser, body: ContactIn) -> ContactOut:
    """Create a contact, or change the one with this e-mail address (admins, or that contact
    themselves: 403 otherwise). Releases keep the details they were approved with; every change
    is recorded."""
    data = body.model_dump(exclude_unset=True)
    with acting() as session:
        return contact_out(save_directory_contact(session, attach(session, user), data))
