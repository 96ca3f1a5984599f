"""A release carrying real files (uploaded and processed by the media room), mailed to one
recipient as the distribution would: shared by the media-in-mail and spam-score tests."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from core.db import session_scope
from core.settings import override_settings
from delivery.compose import organisation_sender, release_input, reply_to_for
from delivery.message import Recipient, identity_for, prepare
from media import library
from media.models import MediaFile
from media.processing import process
from subscribers import tokens
from templates import ReleaseInput, RenderedMessage, Renderer, release_template
from tests import factories
from tests.media import files
from workflow import service
from workflow.content import MediaRole, MediaText
from workflow.models import User

SITE = "https://diplomatie.example.be"
NOW = datetime(2026, 4, 20, 8, 0, tzinfo=UTC)
EMBARGO = NOW + timedelta(hours=3)
BODY = """Minister Janssens opent vandaag in Kinshasa de gemengde commissie met de Democratische
Republiek Congo. Op de agenda staan de samenwerking in het onderwijs, de gezondheidszorg en de
digitale overheid, en de bescherming van het culturele erfgoed van beide landen.

## Het programma

- een ontmoeting met de minister van Buitenlandse Zaken van de DR Congo;
- een bezoek aan het universitair ziekenhuis van Kinshasa, dat met Belgische steun werd gerenoveerd;
- een gesprek met vertegenwoordigers van het maatschappelijk middenveld en de Belgische gemeenschap.

De minister keert zaterdagavond terug naar Brussel. Het volledige verslag van de commissie en de
ondertekende akkoorden staan hieronder als documenten ter beschikking van de pers.
"""


def big_pdf(pages: int = 3, size: int = 4_404_019) -> bytes:
    """A plain PDF of `pages` pages and about `size` bytes (4.2 MB): its pages, and a stream
    nothing refers to (incompressible, as the photos in a real report are)."""
    kids = b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for i in range(pages):
        stream = b"BT /F1 24 Tf 72 720 Td (Verslag - %d) Tj ET" % (i + 1)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                       b"/Contents %d 0 R >>" % (5 + 2 * i))
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    padding = os.urandom(size - 2000)
    objects.append(b"<< /Length %d >>\nstream\n" % len(padding) + padding + b"\nendstream")
    return files._pdf(objects)


@dataclass(frozen=True)
class Mailed:
    """One recipient's copy: the input it was rendered from, its parts and its MIME bytes."""

    release_id: int
    data: ReleaseInput
    rendered: RenderedMessage
    message: bytes


def upload(session: Session, data: bytes, filename: str, ready: bool = True) -> MediaFile:
    author = factories.user(session)
    media = library.upload(session, data, filename, author)
    session.commit()
    if ready:
        process(media.id or 0)
        session.refresh(media)
    return media


def media_release(*, alt: str = "De minister in Kinshasa", kind: str = "press_release",
                  extra: list[tuple[bytes, str, MediaRole, bool]] | None = None) -> int:
    """An embargoed release with a lead image, two gallery pictures, a 4.2 MB PDF and a .docx
    (and `extra`: (bytes, name, role, processed)), each file processed as the worker would."""
    override_settings(base_url=SITE)
    with session_scope() as session:
        author = factories.user(session)
        release = factories.release(
            session, author, kind=kind, embargo_until=EMBARGO.isoformat(),
            translations={
                "nl": {"title": "Minister Janssens in Kinshasa", "lead": "Een werkbezoek van drie dagen.",
                       "body": BODY},
                "fr": {"title": "Le ministre Janssens à Kinshasa", "lead": "Une visite de trois jours.",
                       "body": "Le ministre ouvre aujourd'hui la commission mixte à Kinshasa."},
                "en": {"title": "Minister Janssens in Kinshasa", "lead": "A three-day visit.",
                       "body": "The minister opens the joint commission in Kinshasa today."},
            })
        release_id = release.id or 0
    plan: list[tuple[bytes, str, MediaRole, bool, dict[str, MediaText]]] = [
        (files.jpeg_with_gps(1400, 900), "minister.jpg", MediaRole.LEAD, True,
         {"nl": MediaText(alt=alt, caption="Aankomst op de luchthaven N'Djili.", credit="© FOD Buitenlandse Zaken"),
          "fr": MediaText(alt="Le ministre à Kinshasa", caption="Arrivée à l'aéroport de N'Djili.")}),
        (files.png(800, 600), "ziekenhuis.png", MediaRole.GALLERY, True,
         {"nl": MediaText(alt="Het gerenoveerde ziekenhuis", credit="© Belga"),
          "fr": MediaText(alt="L'hôpital rénové")}),
        (files.webp(640, 480), "commissie.webp", MediaRole.GALLERY, True,
         {"nl": MediaText(alt="De gemengde commissie"), "fr": MediaText(alt="La commission mixte")}),
        (big_pdf(), "verslag-commissie.pdf", MediaRole.DOCUMENT, True,
         {"nl": MediaText(title="Verslag van de gemengde commissie"),
          "fr": MediaText(title="Rapport de la commission mixte")}),
        (files.office("docx"), "akkoorden.docx", MediaRole.DOCUMENT, True, {}),
    ]
    plan += [(data, name, role, ready, {"nl": MediaText(alt="Nog niet klaar", title="Nog niet klaar"),
                                        "fr": MediaText(alt="Pas prêt", title="Pas prêt")})
             for data, name, role, ready in extra or []]
    for data, name, role, ready, texts in plan:
        with session_scope() as session:
            media = upload(session, data, name, ready)
            writer = session.get(User, service.get_release(session, release_id).author_id)
            assert writer is not None
            library.attach(session, release_id, writer, media, role, texts)
    return release_id


def mail(release_id: int, language: str = "nl", *, embargoed: bool = True,
         renderer: Renderer | None = None) -> Mailed:
    """The copy one subscriber of `language` gets, as `delivery.sending` builds it."""
    with session_scope() as session:
        release = service.get_release(session, release_id)
        data = release_input(session, release, now=NOW)
        sender = organisation_sender(session, language)
    compiled = (renderer or Renderer()).compile(release_template(data.kind), language, data, sender, now=NOW)
    prepared = prepare(compiled, identity_for(sender), reply_to=reply_to_for(data))
    access = "?access=" + tokens.access_token(release_id, 7, "ab" * 32) if embargoed else ""
    recipient = Recipient(
        email="jan@example.org", name="Jan Janssens",
        unsubscribe_url=f"{SITE}/subscriptions/unsubscribe/tok", unsubscribe_mailto="mailto:u@diplomatie.example.be",
        preferences_url=f"{SITE}/subscriptions/preferences/tok", access_query=access, list_slug="journalists",
    )
    return Mailed(release_id, data, compiled.personalise(recipient.personalisation()), prepared.build(recipient))
