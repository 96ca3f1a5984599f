"""From workflow rows to the plain inputs the templates render.

The templates room knows no database; this is the one place that reads a Release, its current
revision, its Contacts and the organisation's identity and turns them into `ReleaseInput` and
`Sender`.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from core.db import utcnow
from core.settings import Settings, get_settings
from templates import ContactCard, LinkItem, ReleaseInput, ReleaseText, Sender
from workflow.content import ContactDetails, ReleaseContent
from workflow.models import Release, Revision
from workflow.organisation import IdentityVersion, organisation_identity
from workflow.service import current_revision
from workflow.users import printed_contacts


def sender_for(identity: IdentityVersion, language: str | None = None) -> Sender:
    """A version of the organisation's identity as mail in `language` (default: the version's
    default language) prints it; fields the language leaves empty come from the default one."""
    values = identity.in_language(language or identity.default_language)
    return Sender(
        name=values.name,
        address=values.address,
        phone=values.phone,
        website=values.website,
        email=identity.email,
        logo_url=values.logo_url,
    )


def organisation_sender(session: Session, language: str | None = None, version: int | None = None) -> Sender:
    """The sender of mail in `language`, from identity version `version` (a revision records the
    one that was current when it was approved), else the current one. Raises NotFound."""
    return sender_for(organisation_identity(session, version), language)


def release_url(release_id: int, language: str, settings: Settings | None = None) -> str:
    """The public page of one language version of a release."""
    settings = settings or get_settings()
    return f"{settings.base_url.rstrip('/')}/releases/{release_id}/{language}"


def contact_card(contact: ContactDetails) -> ContactCard:
    return ContactCard(
        name=contact.name,
        email=contact.email,
        functions=tuple(sorted((str(k), str(v)) for k, v in contact.function.items())),
        phone=contact.phone,
        mobile=contact.mobile,
    )


def content_input(
    session: Session, content: ReleaseContent, *, key: str, dateline: datetime, release_id: int = 0
) -> ReleaseInput:
    """Release content (stored or still being typed) as render input.

    Languages without a title are left out: there is nothing to mail in them. Links to the
    other language versions need a release id; a draft never saved has none.
    """
    texts = tuple(
        ReleaseText(
            language=language,
            title=text.title,
            lead=text.lead,
            body=text.body,
            links=tuple(LinkItem(link.label, link.url) for link in text.links),
            url=release_url(release_id, language) if release_id else "",
        )
        for language, text in content.translations.items()
        if text.title
    )
    contacts = tuple(contact_card(contact) for contact in printed_contacts(session, content))
    return ReleaseInput(
        key=key,
        kind=str(content.kind.value),
        default_language=content.default_language,
        texts=texts,
        dateline=dateline,
        embargo_until=content.embargo_until,
        contacts=contacts,
    )


def release_input(session: Session, release: Release, *, now: datetime | None = None,
                  revision: Revision | None = None) -> ReleaseInput:
    """A revision of `release` (the current one unless given) as render input.

    The dateline is the publication time, or `now` for a release not yet published (a preview).
    A mailing passes the revision its distribution was made of: what was published is what goes out.
    """
    revision = revision or current_revision(session, release)
    release_id = release.id or 0
    return content_input(
        session,
        ReleaseContent.model_validate(revision.content),
        key=f"r{release_id}.{revision.number}",
        dateline=release.published_at or now or utcnow(),
        release_id=release_id,
    )


def reply_to_for(data: ReleaseInput) -> tuple[str, str] | None:
    """Replies to a release go to its first spokesperson."""
    if not data.contacts:
        return None
    first = data.contacts[0]
    return (first.name, first.email)
