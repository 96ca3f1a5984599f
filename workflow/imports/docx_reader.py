"""Reading a Word document (.docx) into blocks, through mammoth's semantic HTML.

mammoth turns Word's styles into HTML elements by a style map (Heading 1 → h1, Quote →
blockquote, bold runs → strong, numbered paragraphs → ol) and drops what HTML has no place for.
"Never silently dropped" needs to know what that was and where, so before mammoth reads the
package, a copy of the main document part gets a marker (a private-use character sequence)
where each thing it would drop or flatten stands: text boxes (mammoth would pour their text into
the paragraph around them), comments, footnotes and endnotes, tracked insertions and deletions,
and the style of each paragraph (mammoth names unknown styles in its messages, without saying
where). Walking the HTML, a marker found in a block says where; its text is taken out.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

import mammoth
from lxml import etree, html

from workflow.imports.blocks import (
    Block,
    BlockKind,
    Image,
    Note,
    ReadDocument,
    Run,
    merge_runs,
    number_blocks,
    short,
    where,
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_NS = {"w": W, "mc": MC}
IMAGE_SRC = "pressroom-image:"
TITLE_CLASS = "pressroom-title"

# Word keeps the English names of its built-in styles whatever the language of its menus.
STYLE_MAP = f"""
p[style-name='Title'] => h1.{TITLE_CLASS}:fresh
p[style-name='Subtitle'] => p:fresh
p[style-name='Quote'] => blockquote > p:fresh
p[style-name='Intense Quote'] => blockquote > p:fresh
p[style-name='List Paragraph'] => p:fresh
p[style-name='No Spacing'] => p:fresh
p[style-name='Normal (Web)'] => p:fresh
p[style-name='Body Text'] => p:fresh
r[style-name='Hyperlink'] =>
r[style-name='Strong'] => strong
r[style-name='Emphasis'] => em
r[style-name='Intense Emphasis'] => em
"""
# Paragraph styles that need no mention when mammoth maps them by default (headings, lists).
_QUIET_MESSAGES = re.compile(r"was referenced but not defined|Unrecognised run style: None \(Style ID: "
                             r"(Hyperlink|CommentReference|FootnoteReference|EndnoteReference)\)")
_UNKNOWN_STYLE = re.compile(r"Unrecognised paragraph style: (.*) \(Style ID: (.*)\)$")
MARKER = re.compile("\ue000([A-Z])(\\d+)\ue001")
_XML = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def _text_of(element: Any, names: tuple[str, ...] = ("t",)) -> str:
    wanted = {_w(name) for name in names}
    parts = []
    for node in element.iter():
        if node.tag in wanted and node.text:
            parts.append(node.text)
        elif node.tag == _w("p") and parts:
            parts.append(" ")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


@dataclass
class _Marks:
    """What the markers stand for: marker letter and number → what to say about it."""

    said: dict[tuple[str, int], str] = field(default_factory=dict)
    styles: dict[int, str] = field(default_factory=dict)  # S markers: number → style id
    count: int = 0

    def new(self, letter: str, what: str) -> str:
        self.count += 1
        if letter == "S":
            self.styles[self.count] = what
        else:
            self.said[(letter, self.count)] = what
        return f"\ue000{letter}{self.count}\ue001"


def _marker_run(text: str) -> Any:
    run = etree.Element(_w("r"))
    etree.SubElement(run, _w("t")).text = text
    return run


def _referents(archive: zipfile.ZipFile, part: str, tag: str) -> dict[str, str]:
    """Comments, footnotes or endnotes by id, as text."""
    try:
        root = etree.fromstring(archive.read(part), _XML)
    except KeyError:
        return {}
    return {str(node.get(_w("id"))): _text_of(node) for node in root.iter(_w(tag))}


def _main_part(archive: zipfile.ZipFile) -> str:
    try:
        rels = etree.fromstring(archive.read("_rels/.rels"), _XML)
    except KeyError:
        return "word/document.xml"
    for rel in rels:
        if str(rel.get("Type", "")).endswith("/officeDocument"):
            return str(rel.get("Target", "word/document.xml")).lstrip("/")
    return "word/document.xml"


def _mark(root: Any, archive: zipfile.ZipFile, marks: _Marks) -> None:
    """Put markers into the main document's XML where mammoth would drop or flatten things."""
    comments = _referents(archive, "word/comments.xml", "comment")
    footnotes = _referents(archive, "word/footnotes.xml", "footnote")
    endnotes = _referents(archive, "word/endnotes.xml", "endnote")
    # Text boxes: the drawing (or its AlternateContent wrapper) becomes a marker.
    for box in list(root.iter(_w("txbxContent"))):
        holder = box
        while holder.getparent() is not None and holder.getparent().tag != _w("r") \
                and holder.getparent().tag != _w("p"):
            holder = holder.getparent()
        if holder.getparent() is None:
            continue
        marker = marks.new("B", f"a text box was left out: {short(_text_of(box)) if _text_of(box) else '(empty)'}"
                                "; put its text in the body if it belongs there")
        if holder.getparent().tag == _w("r"):
            replacement = etree.Element(_w("t"))
            replacement.text = marker
        else:
            replacement = _marker_run(marker)
        holder.getparent().replace(holder, replacement)
    for reference in list(root.iter(_w("commentReference"), _w("footnoteReference"), _w("endnoteReference"))):
        key = str(reference.get(_w("id")))
        if reference.tag == _w("commentReference"):
            what = f"a comment was left out: {short(comments.get(key, ''))}"
        elif reference.tag == _w("footnoteReference"):
            what = f"a footnote was left out: {short(footnotes.get(key, ''))}; put it in the text if it matters"
        else:
            what = f"an endnote was left out: {short(endnotes.get(key, ''))}; put it in the text if it matters"
        text = etree.Element(_w("t"))
        text.text = marks.new("N", what)
        reference.getparent().replace(reference, text)
    for change in list(root.iter(_w("ins"), _w("del"), _w("moveTo"), _w("moveFrom"))):
        parent = change.getparent()
        if parent is None or parent.tag in (_w("rPr"), _w("pPr")) or etree.QName(parent).localname == "rPr":
            continue  # a paragraph mark's or a run property's change: no text of its own
        inserted = change.tag in (_w("ins"), _w("moveTo"))
        text = _text_of(change, ("t",) if inserted else ("delText", "t"))
        if not text:
            continue
        what = (f"a tracked insertion was read as accepted: {short(text)}" if inserted else
                f"a tracked deletion was left out, as if accepted: {short(text)}")
        marker = _marker_run(marks.new("T", what + "; accept or reject the changes in Word to be sure"))
        parent.insert(parent.index(change) + (0 if inserted else 1), marker)
    for paragraph in root.iter(_w("p")):
        style = paragraph.find("w:pPr/w:pStyle", _NS)
        if style is not None and _text_of(paragraph):
            paragraph.insert(1 if paragraph.find("w:pPr", _NS) is not None else 0,
                             _marker_run(marks.new("S", str(style.get(_w("val"))))))


def _marked_package(data: bytes, marks: _Marks) -> tuple[bytes, list[Note]]:
    """A copy of the package with markers in its main document, and notes on its page headers
    and footers (mammoth reads neither)."""
    notes: list[Note] = []
    source = zipfile.ZipFile(io.BytesIO(data))
    main = _main_part(source)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == main:
                root = etree.fromstring(content, _XML)
                _mark(root, source, marks)
                content = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            elif re.fullmatch(r"word/(header|footer)\d*\.xml", entry.filename):
                part = etree.fromstring(content, _XML)
                text = _text_of(part)
                pictures = sum(1 for _ in part.iter(_w("drawing"), _w("pict")))
                if text or pictures:
                    which = "page header" if "header" in entry.filename else "page footer"
                    shown = short(text) if text else ""
                    said = ", ".join(part for part in (shown, f"{pictures} picture(s)" if pictures else "") if part)
                    notes.append(Note("", f"the {which} ({said}) is not carried over"))
            copy.writestr(entry, content)
    return out.getvalue(), notes


def _language(data: bytes) -> str:
    """dc:language from the document's properties (File → Properties), if set."""
    try:
        core = zipfile.ZipFile(io.BytesIO(data)).read("docProps/core.xml")
    except KeyError:
        return ""
    root = etree.fromstring(core, _XML)
    found = root.find("{http://purl.org/dc/elements/1.1/}language")
    return (found.text or "").strip() if found is not None else ""


def read_docx(data: bytes, filename: str) -> ReadDocument:
    """The document's blocks and what could not be mapped. `data` has passed the media checks
    (no macros, no external template), so the package is a Word document."""
    marks = _Marks()
    marked, notes = _marked_package(data, marks)
    images: list[Image] = []

    def convert_image(image: Any) -> dict[str, str]:
        with image.open() as stream:
            content = stream.read()
        images.append(Image(content, str(image.content_type or ""), (image.alt_text or "").strip()))
        return {"src": f"{IMAGE_SRC}{len(images) - 1}"}

    result = mammoth.convert_to_html(io.BytesIO(marked), style_map=STYLE_MAP,
                                     convert_image=mammoth.images.img_element(convert_image),
                                     include_embedded_style_map=False)
    unknown: dict[str, str] = {}
    for message in result.messages:
        text = str(message.message)
        match = _UNKNOWN_STYLE.match(text)
        if match:
            unknown[match.group(2)] = match.group(1)
        elif not _QUIET_MESSAGES.search(text):
            notes.append(Note("", f"Word reader: {text}"))
    walker = _Walker(images, marks, unknown)
    walker.walk(result.value)
    blocks = number_blocks(walker.blocks)
    notes.extend(walker.resolved_notes())
    return ReadDocument(filename, blocks, notes, _language(data))


class _Walker:
    """Walks mammoth's HTML into blocks; markers found become notes with their place."""

    def __init__(self, images: list[Image], marks: _Marks, unknown_styles: dict[str, str]) -> None:
        self.images = images
        self.marks = marks
        self.unknown = unknown_styles
        self.blocks: list[Block] = []
        self.pending: list[tuple[int, bool, str]] = []  # (block index, inside it, what)
        self.seen_styles: set[str] = set()

    def resolved_notes(self) -> list[Note]:
        return [Note(where(self.blocks, index, inside), what, index if inside else index - 0.5)
                for index, inside, what in self.pending]

    def note_here(self, what: str) -> None:
        """Something between blocks, before the next one."""
        self.pending.append((len(self.blocks), False, what))

    def walk(self, source: str) -> None:
        if not source.strip():
            return
        for element in html.fragments_fromstring(source):
            if isinstance(element, str):
                self.paragraph_from([element], BlockKind.PARAGRAPH)
                continue
            self.element(element)

    def element(self, element: Any) -> None:
        tag = element.tag
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            title = TITLE_CLASS in (element.get("class") or "")
            self.block(element, BlockKind.HEADING, level=1 if title else int(tag[1]), title=title)
        elif tag == "p":
            self.block(element, BlockKind.PARAGRAPH)
        elif tag == "blockquote":
            for child in element:
                if child.tag == "p":
                    self.block(child, BlockKind.QUOTE)
                else:
                    self.element(child)
        elif tag in ("ul", "ol"):
            self.list_items(element, 0)
        elif tag == "table":
            rows = element.findall(".//tr")
            columns = max((len(row.findall("td")) + len(row.findall("th")) for row in rows), default=0)
            text = " ".join(" ".join(cell.text_content().split()) for cell in element.iter("td", "th"))
            for marker in MARKER.finditer(text):
                self.marker(marker, inside=False)
            shown = short(MARKER.sub("", text)) if text else "(empty)"
            self.note_here(f"a table ({len(rows)} rows × {columns} columns) was left out: {shown}; write it as a "
                           "list, or attach it as a document")
            pictures: list[Image] = []
            for image in element.iter("img"):  # a table's pictures are still the release's
                self.picture(image, pictures)
            self.blocks.extend(Block(BlockKind.IMAGE, image=picture) for picture in pictures)
        else:
            self.block(element, BlockKind.PARAGRAPH)

    def list_items(self, element: Any, depth: int) -> None:
        ordered = element.tag == "ol"
        for item in element:
            if item.tag != "li":
                continue
            nested = [child for child in item if child.tag in ("ul", "ol")]
            for child in nested:
                item.remove(child)
            self.block(item, BlockKind.LIST_ITEM, ordered=ordered, depth=depth)
            for child in nested:
                self.list_items(child, depth + 1)

    def paragraph_from(self, texts: list[str], kind: BlockKind) -> None:
        self.blocks.append(Block(kind, [Run(text) for text in texts]))

    def block(self, element: Any, kind: BlockKind, **values: Any) -> None:
        runs: list[Run] = []
        pictures: list[Image] = []
        start = len(self.pending)
        self.inline(element, runs, pictures, bold=False, italic=False, href=None)
        block = Block(kind, merge_runs(runs), **values)
        kept = bool(block.text)
        if kept:
            self.blocks.append(block)
        else:  # only markers or pictures: what they stood for is between blocks
            self.pending[start:] = [(len(self.blocks), False, what) for _, _, what in self.pending[start:]]
        for picture in pictures:
            self.blocks.append(Block(BlockKind.IMAGE, image=picture))

    def marker(self, match: re.Match[str], inside: bool = True) -> None:
        letter, number = match.group(1), int(match.group(2))
        if letter == "S":
            style = self.marks.styles.get(number, "")
            if style in self.unknown and style not in self.seen_styles:
                self.seen_styles.add(style)
                said = (f"the style “{self.unknown[style]}” is not one the import knows: its paragraphs were read "
                        "as plain paragraphs")
                self.pending.append((len(self.blocks), inside, said))
            return
        what = self.marks.said.get((letter, number))
        if what:
            self.pending.append((len(self.blocks), inside, what))

    def text(self, value: str | None, runs: list[Run], bold: bool, italic: bool, href: str | None) -> None:
        if not value:
            return
        for match in MARKER.finditer(value):
            self.marker(match)
        value = MARKER.sub("", value)
        if value:
            runs.append(Run(value, bold, italic, href))

    def inline(self, element: Any, runs: list[Run], pictures: list[Image], bold: bool, italic: bool,
               href: str | None) -> None:
        self.text(element.text, runs, bold, italic, href)
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == "br":
                runs.append(Run("", newline=True))
            elif tag == "img":
                self.picture(child, pictures)
            elif tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "table", "blockquote"):
                # Block content inside a block (a list inside a table cell): read as text.
                self.inline(child, runs, pictures, bold, italic, href)
                runs.append(Run("", newline=True))
            else:
                self.inline(child, runs, pictures, bold or tag in ("strong", "b"), italic or tag in ("em", "i"),
                            (child.get("href") or "") if tag == "a" and child.get("href") else href)
            self.text(child.tail, runs, bold, italic, href)

    def picture(self, element: Any, pictures: list[Image]) -> None:
        source = element.get("src") or ""
        if source.startswith(IMAGE_SRC) and source[len(IMAGE_SRC):].isdigit():
            pictures.append(self.images[int(source[len(IMAGE_SRC):])])
        else:
            said = "a picture linked from outside the document was left out; insert the picture itself"
            self.pending.append((len(self.blocks), False, said))

