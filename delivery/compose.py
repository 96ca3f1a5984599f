"""From workflow rows to the plain inputs the templates render.

The templates room knows no database; this is the one place that reads a Release, its current
revision, its Contacts, its files and the organisation's identity and turns them into
`ReleaseInput` and `Sender`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlmodel import Session

from core.db import utcnow
from core.settings import Settings, get_settings
from media.urls import ORIGINAL, media_url
from media.views import Attached, Rendition, attached, size_label
from templates import (
    ContactCard,
    DocumentItem,
    ImageItem,
    LinkItem,
    MediaWords,
    ReleaseInput,
    ReleaseText,
    Sender,
)
from workflow.content import ContactDetails, MediaRole, ReleaseContent
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


MediaLink = Callable[[str, str], str]
"""(file's SHA-256, rendition name or `ORIGINAL`) → the absolute URL a mail links the file by."""

# The renditions mail shows: the lead image (and its copy for high-density screens), and the
# gallery's thumbnails. Thumbnails are the 600 px mail rendition too: a URL ending in a long hex
# segment and a name like "w400.jpg" is SpamAssassin's LONG_IMG_URI ("web bug?", 1 point), which
# "mail-600.jpg" (a hyphen in the name) is not.
LEAD_RENDITION = "mail-600.jpg"
LEAD_RENDITION_2X = "mail-1200.jpg"
THUMBNAIL_RENDITION = "mail-600.jpg"


def public_media_link(release_id: int) -> MediaLink:
    """Links to a release's files on the newsroom (the mail adds the recipient's access query)."""
    return lambda sha256, name: media_url(release_id, sha256, name)


def _words(item: Attached) -> tuple[MediaWords, ...]:
    return tuple(
        MediaWords(language, alt=text.alt, caption=text.caption, credit=text.credit, title=text.title)
        for language, text in sorted(item.item.texts.items())
    )


def _image(item: Attached, rendition: Rendition, link: MediaLink, double: Rendition | None = None) -> ImageItem:
    return ImageItem(
        url=link(item.sha256, rendition.name),
        width=rendition.width,
        height=rendition.height,
        words=_words(item),
        url_2x=link(item.sha256, double.name) if double is not None else "",
    )


def media_inputs(
    files: Iterable[Attached], languages: Iterable[str], link: MediaLink
) -> tuple[ImageItem | None, tuple[ImageItem, ...], tuple[DocumentItem, ...]]:
    """(lead image, gallery, documents) of a revision's files as mail shows them.

    Only ready files are shown (a release cannot be submitted with others, but a preview can be
    asked for at any time), and an image only with the rendition mail needs. Sizes are written
    for each of `languages`.
    """
    lead: ImageItem | None = None
    gallery: list[ImageItem] = []
    documents: list[DocumentItem] = []
    languages = tuple(languages)
    for item in files:
        if not item.ready:
            continue
        if item.role is MediaRole.DOCUMENT:
            documents.append(DocumentItem(
                url=link(item.sha256, ORIGINAL),
                filename=item.filename,
                type_label=item.type_label,
                size_labels=tuple((language, size_label(item.size, language)) for language in languages),
                pages=item.pages if item.extension == "pdf" else None,
                words=_words(item),
            ))
        elif item.role is MediaRole.LEAD and lead is None and LEAD_RENDITION in item.renditions:
            lead = _image(item, item.renditions[LEAD_RENDITION], link, item.renditions.get(LEAD_RENDITION_2X))
        elif item.role is MediaRole.GALLERY and THUMBNAIL_RENDITION in item.renditions:
            gallery.append(_image(item, item.renditions[THUMBNAIL_RENDITION], link))
    return lead, tuple(gallery), tuple(documents)


def content_input(
    session: Session,
    content: ReleaseContent,
    *,
    key: str,
    dateline: datetime,
    release_id: int = 0,
    media_link: MediaLink | None = None,
) -> ReleaseInput:
    """Release content (stored or still being typed) as render input.

    Languages without a title are left out: there is nothing to mail in them. Links to the
    other language versions need a release id; a draft never saved has none. Files are linked
    by `media_link` (default: their public URLs on the newsroom; the editor's preview passes
    its own, which must give absolute http(s) URLs too).
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
    lead, gallery, documents = media_inputs(
        attached(session, content.media),
        (text.language for text in texts),
        media_link or public_media_link(release_id),
    )
    return ReleaseInput(
        key=key,
        kind=str(content.kind.value),
        default_language=content.default_language,
        texts=texts,
        dateline=dateline,
        embargo_until=content.embargo_until,
        contacts=contacts,
        lead_image=lead,
        gallery=gallery,
        documents=documents,
    )


def release_input(session: Session, release: Release, *, now: datetime | None = None,
                  revision: Revision | None = None, media_link: MediaLink | None = None) -> ReleaseInput:
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
        media_link=media_link,
    )


def reply_to_for(data: ReleaseInput, sender: Sender | None = None) -> tuple[str, str] | None:
    """Replies to a release go to its first spokesperson; a release without contacts sends them
    to the press office's own address (the organisation's e-mail), never to a noreply sender."""
    if data.contacts:
        first = data.contacts[0]
        return (first.name, first.email)
    if sender is not None and sender.email:
        return (sender.name, sender.email)
    return None
