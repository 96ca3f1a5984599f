"""The mapping of documents that stray from the usual press release: nested lists, links that
are not kept, other quote styles and contact labels, and everything that is listed as not
carried over (styles, page headers, text before the title, tracked changes, footnotes, text
boxes, comments, people without an address, pictures of other types)."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlmodel import select

from core.db import session_scope
from media.models import MediaFile
from tests.workflow.office_documents import _hyperlink, photo
from workflow.content import MediaRole
from workflow.imports import Document, import_release
from workflow.imports.docx_reader import read_docx
from workflow.imports.mapping import map_document
from workflow.imports.odt_reader import read_odt
from workflow.users import add_user


def _odd_docx() -> bytes:
    import docx as python_docx
    from docx.enum.style import WD_STYLE_TYPE

    document = python_docx.Document()
    document.sections[0].header.paragraphs[0].text = "FOD Buitenlandse Zaken"
    document.add_paragraph("PERSBERICHT")
    document.add_heading("Nieuwe consulaire regels", 1)
    document.add_paragraph().add_run("Brussel – De regels veranderen.").bold = True
    paragraph = document.add_paragraph("Zie ")
    _hyperlink(paragraph, "de gedeelde map", "file:///S:/pers/regels.docx")
    paragraph.add_run(" of ")
    _hyperlink(paragraph, "schrijf ons", "mailto:pers@example.be")
    paragraph.add_run(". Kosten: 5 * 3 = 15 [euro] <netto>")
    document.add_paragraph("Paspoorten", style="List Bullet")
    nested = document.add_paragraph("binnen 5 dagen", style="List Bullet")
    numbering = nested._p.get_or_add_pPr().get_or_add_numPr()  # one level down in the same list
    numbering.get_or_add_ilvl().val = 1
    numbering.get_or_add_numId().val = document.styles["List Bullet"].element.pPr.numPr.numId.val
    document.add_paragraph("Visa", style="List Bullet")
    document.add_paragraph("“Dit is een sterk signaal.”", style="Intense Quote")
    document.styles.add_style("Verklaring", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("# Geen kop, maar tekst.", style="Verklaring")
    document.add_paragraph("Wijziging hier.")
    document.add_heading("Press contact", 2)
    for line in ("Jan Jansen", "Spokesman", "Phone +32 2 501 80 00", "Mobile +32 470 00 00 00",
                 "jan.jansen@example.be", "Karel Zonder", "Persdienst"):
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    # A tracked insertion and deletion, as Word writes them with "Track changes" on.
    archive = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    xml = archive.read("word/document.xml").decode()
    tracked = ('<w:ins w:id="91" w:author="Redactie" w:date="2026-04-19T10:00:00Z"><w:r><w:t>nieuw</w:t></w:r>'
               '</w:ins><w:del w:id="92" w:author="Redactie" w:date="2026-04-19T10:00:00Z"><w:r>'
               '<w:delText>oud</w:delText></w:r></w:del>')
    xml = xml.replace("<w:t>Wijziging hier.</w:t></w:r>", "<w:t>Wijziging hier.</w:t></w:r>" + tracked, 1)
    # The template's bullet list has one level; Word's have nine: give it a second.
    numbering = archive.read("word/numbering.xml").decode()
    start = numbering.index('<w:abstractNum w:abstractNumId="8"')
    end = numbering.index("</w:abstractNum>", start)
    numbering = (numbering[:end] + '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="bullet"/>'
                 '<w:lvlText w:val="o"/></w:lvl>' + numbering[end:])
    changed = io.BytesIO()
    parts = {"word/document.xml": xml.encode(), "word/numbering.xml": numbering.encode()}
    with zipfile.ZipFile(changed, "w", zipfile.ZIP_DEFLATED) as copy:
        for entry in archive.infolist():
            copy.writestr(entry, parts.get(entry.filename, archive.read(entry)))
    return changed.getvalue()


def test_word_documents_that_stray_from_the_usual_shape() -> None:
    mapped = map_document(read_docx(_odd_docx(), "regels.docx"))
    assert mapped.title == "Nieuwe consulaire regels" and mapped.lead == "Brussel – De regels veranderen."
    assert mapped.body == (
        "Zie de gedeelde map of [schrijf ons](mailto:pers@example.be). Kosten: 5 \\* 3 = 15 \\[euro\\] \\<netto>\n\n"
        "- Paspoorten\n"
        "  - binnen 5 dagen\n"
        "- Visa\n\n"
        "> “Dit is een sterk signaal.”\n\n"
        "\\# Geen kop, maar tekst.\n\n"
        "Wijziging hier.nieuw"
    )
    [person] = mapped.people
    assert (person.name, person.function, person.phone, person.mobile, person.email) == (
        "Jan Jansen", "Spokesman", "+32 2 501 80 00", "+32 470 00 00 00", "jan.jansen@example.be")
    said = [str(note) for note in mapped.notes]
    assert said == [
        "the page header (“FOD Buitenlandse Zaken”) is not carried over",
        "paragraph 1: text before the title was left out: “PERSBERICHT”",
        ("paragraph 4 (under “Nieuwe consulaire regels”): the link to 'file:///S:/pers/regels.docx' was kept as "
        "plain text: only http(s) and mailto links are carried over"),
        ("paragraph 9 (under “Nieuwe consulaire regels”): the style “Verklaring” is not one the import knows: its "
        "paragraphs were read as plain paragraphs"),
        ("paragraph 10 (under “Nieuwe consulaire regels”): a tracked insertion was read as accepted: “nieuw”; accept "
        "or reject the changes in Word to be sure"),
        ("paragraph 10 (under “Nieuwe consulaire regels”): a tracked deletion was left out, as if accepted: “oud”; "
        "accept or reject the changes in Word to be sure"),
        ("paragraph 17 (under “Press contact”): contact block: “Karel Zonder, Persdienst” has no e-mail address, so "
        "it was not taken as a contact; add the address, or add the contact in the editor"),
    ]


def test_libreoffice_footnotes_text_boxes_comments_and_german_labels() -> None:
    from odfdo import Annotation, Frame, Header, Note, Paragraph, Span, Style
    from odfdo import Document as OdfDocument

    document = OdfDocument("text")
    body = document.body
    body.clear()
    document.insert_style(Style("text", name="T1", bold=True), automatic=True)
    document.get_styles("master-page")[0].set_page_footer("Föderaler Öffentlicher Dienst")
    body.append(Header(1, "Neue Konsularregeln"))
    lead = Paragraph("")
    lead.append(Span("Brüssel – Die Regeln ändern sich.", style="T1"))
    body.append(lead)
    paragraph = Paragraph("Ab Mai gelten neue Fristen.")
    paragraph.append(Note(note_class="footnote", note_id="ftn1", citation="1", body="Siehe Königlicher Erlass."))
    paragraph.append(Annotation("Zahlen prüfen", creator="Redaktion"))
    body.append(paragraph)
    box = Frame.text_frame("Kasten: 48 Evakuierungen", size=("5cm", "2cm"), anchor_type="as-char")
    holder = Paragraph("")
    holder.append(box)
    body.append(holder)
    body.append(Paragraph("Pressekontakt:"))
    body.append(Paragraph("Eva Schmidt, Sprecherin"))
    body.append(Paragraph("Telefon: +32 2 501 81 11 | Handy: +32 475 11 22 33"))
    body.append(Paragraph("E-Mail: eva.schmidt@example.be"))
    out = io.BytesIO()
    document.save(out)
    mapped = map_document(read_odt(out.getvalue(), "regeln.odt"))
    assert (mapped.title, mapped.lead, mapped.body) == (
        "Neue Konsularregeln", "Brüssel – Die Regeln ändern sich.", "Ab Mai gelten neue Fristen.")
    [person] = mapped.people
    assert (person.name, person.function, person.phone, person.mobile, person.email) == (
        "Eva Schmidt", "Sprecherin", "+32 2 501 81 11", "+32 475 11 22 33", "eva.schmidt@example.be")
    assert [str(note) for note in mapped.notes] == [
        "the page footer (“Föderaler Öffentlicher Dienst”) is not carried over",
        ("paragraph 3 (under “Neue Konsularregeln”): a footnote was left out: “Siehe Königlicher Erlass.”; put it in "
        "the text if it matters"),
        "paragraph 3 (under “Neue Konsularregeln”): a comment was left out: “Zahlen prüfen”",
        ("after paragraph 3 (under “Neue Konsularregeln”): a text box was left out: “Kasten: 48 Evakuierungen”; put "
        "its text in the body if it belongs there"),
    ]


def _gif() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("P", (40, 40), 3).save(out, "GIF")
    return out.getvalue()


@pytest.mark.postgres
def test_the_first_picture_is_the_lead_the_others_the_gallery(db: str) -> None:
    import docx as python_docx

    document = python_docx.Document()
    document.add_heading("Fotoreportage", 1)
    document.add_paragraph().add_run("Beelden van het bezoek.").bold = True
    appended = photo((1, 1, 1)) + b"PK\x03\x04 something after the picture"  # refused by the media checks
    for number, (data, alt) in enumerate(((photo(), "Aankomst"), (_gif(), "Logo"), (photo((9, 9, 9)), "Vertrek"),
                                          (appended, "Groep"))):
        document.add_picture(io.BytesIO(data))
        document.paragraphs[-1]._p.xpath(".//wp:docPr")[0].set("descr", alt)
        document.add_paragraph(f"Tekst {number}.")
    out = io.BytesIO()
    document.save(out)
    with session_scope() as session:
        author = add_user(session, "an@example.be", "An Peeters", "spokesperson")
        imported = import_release(session, Document(out.getvalue(), "reportage.docx"), actor=author)
        assert len(session.exec(select(MediaFile)).all()) == 2
    assert [(item.role, item.filename, item.texts["nl"].alt) for item in imported.content.media] == [
        (MediaRole.LEAD, "reportage-1.png", "Aankomst"), (MediaRole.GALLERY, "reportage-3.png", "Vertrek")]
    assert imported.notes == [
        ("reportage.docx: paragraph 5 (under “Fotoreportage”): a picture of type image/gif was left out: only JPEG, "
        "PNG and WebP pictures are carried over; save it as one of those and add it in the editor"),
        ("reportage.docx: paragraph 9 (under “Fotoreportage”): a picture was left out: it is a PNG file that is also "
         "readable as a PNG with other data after its end: a file that is two things at once is refused")]


def test_a_document_without_title_or_lead_says_so() -> None:
    import docx as python_docx

    document = python_docx.Document()
    document.add_paragraph("Gewoon een tekst.")
    out = io.BytesIO()
    document.save(out)
    mapped = map_document(read_docx(out.getvalue(), "tekst.docx"))
    assert (mapped.title, mapped.lead, mapped.body) == ("", "", "Gewoon een tekst.")
    assert [str(note) for note in mapped.notes] == [
        ("no heading and no paragraph in the Title style: the draft has no title; give the title the Title or "
        "Heading 1 style, or type it in the editor"),
        ("no paragraph entirely in bold before the first subheading: the draft has no lead; make the lead paragraph "
        "bold, or type it in the editor"),
    ]


def test_a_tables_pictures_are_still_the_releases() -> None:
    import docx as python_docx

    document = python_docx.Document()
    document.add_heading("Fotoreportage", 1)
    grid = document.add_table(rows=1, cols=2)
    grid.cell(0, 0).text = "Aankomst"
    grid.cell(0, 1).paragraphs[0].add_run().add_picture(io.BytesIO(photo()))
    grid.cell(0, 1)._tc.xpath(".//wp:docPr")[0].set("descr", "De minister komt aan")
    out = io.BytesIO()
    document.save(out)
    mapped = map_document(read_docx(out.getvalue(), "reportage.docx"))
    assert [(picture.image.alt, picture.where) for picture in mapped.pictures] == [
        ("De minister komt aan", "paragraph 2 (under “Fotoreportage”)")]
    assert [str(note) for note in mapped.notes][-1].startswith(
        "after paragraph 1 (under “Fotoreportage”): a table (1 rows × 2 columns) was left out: “Aankomst”")
