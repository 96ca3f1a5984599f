"""A release's files in its mail: the lead image under the title, gallery thumbnails, the
documents block; hosted (never attached), from the revision, with each recipient's access query."""

from __future__ import annotations

import re
from email import message_from_bytes

import pytest
from sqlmodel import select

from core.db import session_scope, utcnow
from core.outbox import OutboxEvent
from core.settings import override_settings
from delivery.compose import content_input, release_input, release_url
from delivery.proofs import send_test_mail
from delivery.transports import memory_outbox
from media import library
from media.models import MediaFile
from media.urls import ORIGINAL, media_url
from subscribers.tokens import read_proof_token
from templates import Renderer
from tests.delivery.media_mail import NOW, SITE, Mailed, mail, media_release
from tests.media import files
from tests.templates.htmlcheck import Page, read_html
from workflow import proofs, service
from workflow.content import MediaRole, MediaText
from workflow.models import User

HOSTILE = '"><script>alert(1)</script><img src=x onerror=alert(2)> {{ 1234*1000 }}'


def _sha(name: str) -> str:
    with session_scope() as session:
        row = session.exec(select(MediaFile).where(MediaFile.filename == name)).one()
        return row.sha256


def _lead(page: Page) -> dict[str, str | None]:
    """The <img> of the lead image: the first picture of a release (the organisation's logo may
    come before it)."""
    return next(image for image in page.images if "/mail-600.jpg" in str(image["src"]))


def _access(copy: Mailed) -> str:
    found = re.search(r"\?access=[A-Za-z0-9._-]+", copy.rendered.text)
    assert found is not None
    return found.group(0)


def test_an_embargoed_copy_shows_hosted_pictures_and_documents_with_the_recipients_access(sqlite_db: str) -> None:
    release_id = media_release()
    copy = mail(release_id)
    access = _access(copy)
    page = read_html(copy.rendered.html)
    assert page.errors == []

    lead = media_url(release_id, _sha("minister.jpg"), "mail-600.jpg") + access
    lead_2x = media_url(release_id, _sha("minister.jpg"), "mail-1200.jpg") + access
    first = _lead(page)
    assert first["src"] == lead
    assert (first["width"], first["height"], first["alt"]) == ("600", "386", "De minister in Kinshasa")
    assert first["srcset"] == f"{lead} 1x, {lead_2x} 2x"
    # Under the title, with its caption and credit under it.
    assert page.text.index("Minister Janssens in Kinshasa") < page.text.index("Aankomst op de luchthaven N'Djili.")
    assert "Foto: © FOD Buitenlandse Zaken" in page.text

    thumbnails = [image for image in page.images if image is not first and "/mail-600.jpg" in str(image["src"])]
    assert [t["alt"] for t in thumbnails] == ["Het gerenoveerde ziekenhuis", "De gemengde commissie"]
    assert all(str(t["src"]).endswith(access) and t["width"] == "190" for t in thumbnails)
    assert page.hrefs.count(release_url(release_id, "nl") + access) == 2  # each thumbnail opens the release

    pdf_url = media_url(release_id, _sha("verslag-commissie.pdf"), ORIGINAL) + access
    docx_url = media_url(release_id, _sha("akkoorden.docx"), ORIGINAL) + access
    assert pdf_url in page.hrefs and docx_url in page.hrefs
    assert "Documenten Verslag van de gemengde commissie PDF, 4,2 MB, 3 pagina's akkoorden.docx Word, 448 B" in page.text

    text = copy.rendered.text
    assert f"- Verslag van de gemengde commissie (PDF, 4,2 MB, 3 pagina's)\n  {pdf_url}\n" in text
    assert f"- akkoorden.docx (Word, 448 B)\n  {docx_url}\n" in text
    assert f"[De minister in Kinshasa]\nAankomst op de luchthaven N'Djili.\nFoto: © FOD Buitenlandse Zaken\n{lead_2x}\n" in text

    message = message_from_bytes(copy.message)
    assert [part.get_content_type() for part in message.walk()] == ["multipart/alternative", "text/plain", "text/html"]
    assert all(part.get("Content-Disposition") is None and part.get("Content-ID") is None for part in message.walk())
    assert b"cid:" not in copy.message


def test_sizes_and_page_counts_are_written_in_the_readers_language(sqlite_db: str) -> None:
    release_id = media_release()
    french, english = mail(release_id, "fr"), mail(release_id, "en")
    assert "Rapport de la commission mixte PDF, 4,2 MB, 3 pages" in read_html(french.rendered.html).text
    assert "Documents" in french.rendered.text and "Photo : © FOD Buitenlandse Zaken" in french.rendered.text
    # English has no texts of its own for the files: the default language's fill in.
    assert "Verslag van de gemengde commissie (PDF, 4.2 MB, 3 pages)" in english.rendered.text
    assert _lead(read_html(english.rendered.html))["alt"] == "De minister in Kinshasa"
    assert "Photo: © FOD Buitenlandse Zaken" in english.rendered.text


def test_after_the_lift_media_links_carry_no_token(sqlite_db: str) -> None:
    release_id = media_release()
    copy = mail(release_id, embargoed=False)
    assert "?access" not in copy.rendered.html and "?access" not in copy.rendered.text
    assert media_url(release_id, _sha("minister.jpg"), "mail-600.jpg") in copy.rendered.html


def test_files_not_ready_are_left_out(sqlite_db: str) -> None:
    broken = files.jpeg_with_gps(800, 600)
    broken = broken[:2000] + bytes(len(broken) - 2000)  # fails to decode: processing marks it failed
    release_id = media_release(extra=[(files.jpeg_with_gps(900, 700, (10, 10, 10)), "wachtend.jpg", MediaRole.GALLERY, False),
                                      (broken, "kapot.jpg", MediaRole.GALLERY, True),
                                      (files.pdf(1, "Concept"), "concept.pdf", MediaRole.DOCUMENT, False)])
    copy = mail(release_id)
    for name in ("wachtend.jpg", "kapot.jpg", "concept.pdf"):
        assert _sha(name) not in copy.rendered.html and _sha(name) not in copy.rendered.text
    assert "Nog niet klaar" not in copy.rendered.html + copy.rendered.text
    assert len(copy.data.gallery) == 2 and len(copy.data.documents) == 2


def test_hostile_alt_caption_and_credit_stay_text(sqlite_db: str) -> None:
    release_id = media_release(alt=HOSTILE)
    sha = _sha("minister.jpg")
    with session_scope() as session:
        release = service.get_release(session, release_id)
        author = session.get(User, release.author_id)
        assert author is not None
        row = library.find(session, sha)
        library.attach(session, release_id, author, row, MediaRole.LEAD,
                       {"nl": MediaText(alt=HOSTILE, caption=HOSTILE, credit=HOSTILE)})
    copy = mail(release_id)
    page = read_html(copy.rendered.html)
    assert page.errors == [] and page.event_handlers == []
    assert "script" not in page.tags
    assert _lead(page)["alt"] == HOSTILE
    assert page.text.count(HOSTILE) == 2  # the caption, and the credit after "Foto: "
    assert "{{ 1234*1000 }}" in copy.rendered.text and "1234000" not in copy.rendered.text


def test_a_revision_compiles_once_and_each_recipient_gets_their_own_access(sqlite_db: str) -> None:
    release_id = media_release()
    renderer = Renderer()
    first = mail(release_id, renderer=renderer)
    with session_scope() as session:
        data = release_input(session, service.get_release(session, release_id), now=NOW)
    assert hash(data) == hash(first.data)  # media facts are part of the compile-cache key
    second = mail(release_id, renderer=renderer)
    assert (renderer.misses, renderer.hits) == (1, 1)
    assert first.rendered.html == second.rendered.html  # same token: same recipient
    # A new revision (one file fewer) is a different input and a different message.
    docx = _sha("akkoorden.docx")
    with session_scope() as session:
        author = session.get(User, service.get_release(session, release_id).author_id)
        assert author is not None
        library.detach(session, release_id, author, library.find(session, docx))
    third = mail(release_id, renderer=renderer)
    assert renderer.misses == 2 and "akkoorden.docx" not in third.rendered.text


def test_a_caller_chooses_the_media_link_maker(sqlite_db: str) -> None:
    release_id = media_release()
    with session_scope() as session:
        content = service.current_content(session, service.get_release(session, release_id))
        data = content_input(session, content, key="preview", dateline=utcnow(),
                             release_id=release_id,
                             media_link=lambda sha, name: f"{SITE}/press/media/{sha}/{name}")
    assert data.lead_image is not None
    assert data.lead_image.url == f"{SITE}/press/media/{_sha('minister.jpg')}/mail-600.jpg"
    assert data.documents[0].url == f"{SITE}/press/media/{_sha('verslag-commissie.pdf')}/original"


def test_an_annual_report_lists_its_files_with_its_document_buttons(sqlite_db: str) -> None:
    release_id = media_release(kind="annual_report")
    copy = mail(release_id)
    page = read_html(copy.rendered.html)
    assert page.text.count("Documenten") == 1
    assert "Verslag van de gemengde commissie PDF, 4,2 MB, 3 pagina's" in page.text
    assert ">> Verslag van de gemengde commissie (PDF, 4,2 MB, 3 pagina's)\n" in copy.rendered.text


def test_a_test_mail_shows_its_revisions_files_by_a_proof_token(sqlite_db: str) -> None:
    release_id = media_release()
    outbox = memory_outbox("media-proofs")
    outbox.clear()
    override_settings(mail_url="memory://media-proofs")
    with session_scope() as session:
        release = service.get_release(session, release_id)
        author = session.get(User, release.author_id)
        assert author is not None
        revision_id = service.current_revision(session, release).id
        assert proofs.request_test_mail(session, release_id, author, author.email, "nl") == ["nl"]
    with session_scope() as session:
        event = session.exec(select(OutboxEvent).where(OutboxEvent.name == proofs.TEST_REQUESTED)).one()
        send_test_mail(session, event)
    [sent] = outbox.messages
    html = next(part for part in message_from_bytes(sent.message).walk() if part.get_content_type() == "text/html")
    payload = html.get_payload(decode=True)
    assert isinstance(payload, bytes)
    lead = _lead(read_html(payload.decode("utf-8")))
    token = str(lead["src"]).partition("?access=")[2]
    assert str(lead["src"]).startswith(media_url(release_id, _sha("minister.jpg"), "mail-600.jpg") + "?access=")
    assert read_proof_token(token) == (release_id, revision_id)


@pytest.fixture(autouse=True)
def _site() -> None:
    override_settings(base_url=SITE)
