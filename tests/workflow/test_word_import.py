"""Importing a release written in Word or LibreOffice: the draft's Markdown, contacts and
pictures field by field, what is listed as not carried over, and what is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from core.db import session_scope
from core.errors import InvalidInput
from core.settings import get_settings
from media.errors import MediaRefused
from media.models import MediaFile
from templates.markup import markdown_to_html
from tests.workflow.office_documents import (
    FR,
    NL,
    docx,
    expected_body,
    expected_contacts,
    odt,
    photo,
    with_external_template,
    with_macro,
)
from workflow import service
from workflow.content import MediaRole
from workflow.imports import Document, ImportOptions, import_release
from workflow.imports.errors import PictureWithoutDescription
from workflow.models import Contact, Release
from workflow.users import add_user, get_user, save_contact

pytestmark = pytest.mark.postgres


def _stored_objects() -> list[Path]:
    root = Path(get_settings().data_dir) / "media"
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def _nothing_stored() -> None:
    with session_scope() as session:
        assert session.exec(select(MediaFile)).all() == []
        assert session.exec(select(Release)).all() == []
    assert _stored_objects() == []


def test_a_dutch_word_release_with_its_french_translation(db: str) -> None:
    nl = Document(docx(NL, picture=photo()), "persbericht.docx")
    fr = Document(docx(FR, title_style="title", picture=photo(), line_breaks=True, contact_heading=True),
                  "persbericht.fr.docx")
    with session_scope() as session:
        author = add_user(session, "an@example.be", "An Peeters", "spokesperson")
        imported = import_release(session, nl, {"fr": fr}, actor=author, options=ImportOptions(
            language="nl", kind="statement", topics=["consular"], web_only=True))
        release = service.create_release(session, author, imported.content)
        stored = service.current_content(session, release)
    assert imported.notes == []
    assert stored.kind == "statement" and stored.default_language == "nl" and stored.web_only
    assert stored.topics == ["consular"]
    for language, source in (("nl", NL), ("fr", FR)):
        text = stored.translations[language]
        assert text.title == source.title
        assert text.lead == source.lead
        assert text.body == expected_body(source)
    # The Markdown renders as the author formatted it.
    html = markdown_to_html(stored.translations["nl"].body, mail=False)
    assert "<h2>Rethink network: een nieuw postennetwerk</h2>" in html
    assert "<blockquote>" in html and html.count("<blockquote>") == 1
    assert '<a href="https://diplomatie.example.be/jaarverslag-2025"' in html
    assert "<strong>een recordjaar</strong>" in html and "<em>drukke</em>" in html
    assert html.count("<li>") == 6 and "<ol>" in html
    # Three people, field by field; the French document gives their functions in French.
    details = [detail.model_dump() for detail in stored.contact_details]
    for detail, dutch, french in zip(details, expected_contacts(NL, "nl"), expected_contacts(FR, "fr"), strict=True):
        assert detail == {**dutch, "function": {**dutch["function"], **french["function"]}}
    assert [d["phone"] for d in details] == ["+32 2 501 81 11", "", "+32 2 501 82 22"]
    assert [d["mobile"] for d in details] == ["+32 477 12 34 56", "+32 478 98 76 54", ""]
    assert stored.contacts == []  # not in the directory: printed as written, the directory unchanged
    assert len(imported.contact_notes) == 3 and "--update-contacts adds it" in imported.contact_notes[0]
    # The photo went through the media library, with its description in both languages.
    [item] = stored.media
    assert item.role is MediaRole.LEAD and item.filename == "persbericht-1.png"
    assert item.texts["nl"].alt == NL.alt and item.texts["fr"].alt == FR.alt
    with session_scope() as session:
        [row] = session.exec(select(MediaFile)).all()
    assert row.sha256 == item.sha256 and imported.uploaded == [row.id]


def test_libreoffice_gives_the_same_release_as_word(db: str) -> None:
    with session_scope() as session:
        author = add_user(session, "an@example.be", "An Peeters", "spokesperson")
        from_word = import_release(session, Document(docx(NL, picture=photo()), "persbericht.docx"),
                                   actor=author).content
        from_writer = import_release(session, Document(odt(NL, picture=photo()), "persbericht.odt"),
                                     actor=author).content
    assert from_writer.translations == from_word.translations
    assert from_writer.contact_details == from_word.contact_details
    assert [(m.sha256, m.role, m.texts) for m in from_writer.media] == \
        [(m.sha256, m.role, m.texts) for m in from_word.media]
    assert from_writer.translations["nl"].body == expected_body(NL)


def test_what_cannot_be_mapped_is_listed_with_where(sqlite_db: str) -> None:
    with session_scope() as session:
        author = add_user(session, "an@example.be", "An Peeters", "spokesperson")
        word = import_release(session, Document(docx(NL, table=True, comment=True), "tabel.docx"), actor=author)
        writer = import_release(session, Document(odt(NL, table=True), "tabel.odt"), actor=author)
    comment = ("tabel.docx: paragraph 3 (under “Jaarverslag 2025: 4.200 Belgen in nood geholpen”): a comment was "
               "left out: “Cijfers nakijken”")
    table = ("after paragraph 13 (under “Rethink network: een nieuw postennetwerk”): a table (2 rows × 2 columns) "
             "was left out: “Jaar Dossiers{}”; write it as a list, or attach it as a document")
    assert word.notes == [comment, "tabel.docx: " + table.format(" 2025 4.200")]
    assert writer.notes == ["tabel.odt: " + table.format("")]
    # The rest of the release is read as without the table.
    assert word.content.translations["nl"].body == expected_body(NL)


@pytest.mark.parametrize(("hostile", "reason"), [
    (with_macro, "is an Office document with macros"),
    (with_external_template, "is an Office document that loads a template from elsewhere"),
])
def test_macros_and_external_templates_are_refused_and_nothing_is_stored(db: str, hostile, reason) -> None:  # type: ignore[no-untyped-def]
    with session_scope() as session:
        add_user(session, "an@example.be", "An Peeters", "spokesperson")
    for translation in (False, True):  # as the main document, and as a translation
        good = Document(docx(NL, picture=photo()), "persbericht.docx")
        bad = Document(hostile(docx(FR, picture=photo())), "communique.docx")
        with pytest.raises(MediaRefused) as refused, session_scope() as session:
            actor = get_user(session, "an@example.be")
            if translation:
                import_release(session, good, {"fr": bad}, actor=actor)
            else:
                import_release(session, bad, actor=actor)
        assert refused.value.message == f"file 'communique.docx': {reason}: " + (
            "save it as .docx, .xlsx or .pptx without macros" if "macros" in reason else "save a copy without it")
        _nothing_stored()


def test_a_picture_without_description_refuses_the_import_saying_where(db: str) -> None:
    with session_scope() as session:
        add_user(session, "an@example.be", "An Peeters", "spokesperson")
    with pytest.raises(PictureWithoutDescription) as refused, session_scope() as session:
        import_release(session, Document(docx(NL, picture=photo(), alt=""), "persbericht.docx"),
                       actor=get_user(session, "an@example.be"))
    assert "persbericht.docx: picture 1 (paragraph 14 (under “Rethink network: een nieuw postennetwerk”))" in \
        refused.value.message
    assert "Edit Alt Text" in refused.value.message
    _nothing_stored()


def test_contacts_match_the_directory_and_update_it_only_when_asked(sqlite_db: str) -> None:
    with session_scope() as session:
        admin = add_user(session, "admin@example.be", "Admin", "admin")
        save_contact(session, admin, {"email": "anouk.peeters@diplomatie.example.be", "name": "Anouk Peeters",
                                      "function": {"nl": "Woordvoerster"}, "phone": "+32 2 501 81 11"})
        imported = import_release(session, Document(docx(NL), "persbericht.docx"), actor=admin)
        assert imported.content.contacts != []  # Anouk is known: her id, the others printed as written
        assert "anouk.peeters@diplomatie.example.be differs from the contact directory in function, mobile" in \
            imported.contact_notes[0]
        assert session.exec(select(Contact)).one().function == {"nl": "Woordvoerster"}
    with session_scope() as session:
        admin = get_user(session, "admin@example.be")
        updated = import_release(session, Document(docx(NL), "persbericht.docx"), actor=admin,
                                 options=ImportOptions(update_contacts=True))
        assert updated.contact_notes == []
        rows = {row.email: row for row in session.exec(select(Contact)).all()}
    assert len(updated.content.contacts) == 3
    assert rows["anouk.peeters@diplomatie.example.be"].function == {"nl": "Woordvoerder"}
    assert rows["anouk.peeters@diplomatie.example.be"].mobile == "+32 477 12 34 56"
    assert rows["els.wouters@diplomatie.example.be"].name == "Els Wouters"


def test_the_document_language_property_chooses_the_language(sqlite_db: str) -> None:
    with session_scope() as session:
        author = add_user(session, "an@example.be", "An Peeters", "spokesperson")
        french = import_release(session, Document(docx(FR, language="fr-BE"), "communique.docx"), actor=author)
        writer = import_release(session, Document(odt(FR, language="fr-BE"), "communique.odt"), actor=author)
        unsaid = import_release(session, Document(docx(FR), "communique.docx"), actor=author)
        chosen = import_release(session, Document(docx(FR, language="nl-BE"), "communique.docx"), actor=author,
                                options=ImportOptions(language="fr"))
        with pytest.raises(InvalidInput, match="--language: 'xx' is not configured"):
            import_release(session, Document(docx(FR), "communique.docx"), actor=author,
                           options=ImportOptions(language="xx"))
    assert french.content.default_language == "fr" and writer.content.default_language == "fr"
    assert unsaid.content.default_language == get_settings().default_language == "nl"
    assert chosen.content.default_language == "fr"
    assert french.content.contact_details[0].function == {"fr": "Porte-parole"}


def test_a_file_that_is_not_a_document_is_refused_by_name(sqlite_db: str) -> None:
    with session_scope() as session:
        author = add_user(session, "an@example.be", "An Peeters", "spokesperson")
        with pytest.raises(MediaRefused, match=r"file 'release.doc': is not a Word \(\.docx\) or LibreOffice"):
            import_release(session, Document(b"\xd0\xcf\x11\xe0", "release.doc"), actor=author)
        with pytest.raises(MediaRefused, match="is named .odt but its bytes are a PNG image"):
            import_release(session, Document(photo(), "release.odt"), actor=author)
        with pytest.raises(MediaRefused, match="is a ZIP archive, not a Word, Excel or PowerPoint document"):
            import_release(session, Document(odt(NL), "release.docx"), actor=author)


def test_a_translation_without_the_picture_description_is_said(sqlite_db: str) -> None:
    with session_scope() as session:
        author = add_user(session, "an@example.be", "An Peeters", "spokesperson")
        imported = import_release(session, Document(docx(NL, picture=photo()), "persbericht.docx"),
                                  {"fr": Document(docx(FR, picture=photo(), alt=""), "communique.docx")}, actor=author)
    assert imported.notes == [
        ("communique.docx: paragraph 14 (under “Rethink network : un nouveau réseau de postes”): the picture has no "
        "description here, so the release's image persbericht-1.png has no alt text in fr yet: add it in the "
        "editor (or the document) before submitting")]
    assert imported.content.missing_alt_texts(["nl", "fr"]) == [("persbericht-1.png", "fr")]
