"""Reading a LibreOffice document (.odt) into blocks, through odfdo.

odfdo opens the package and resolves styles: a paragraph or a span is bold or italic by its
style (an automatic style such as "T1" or "P3", or a named one), inherited from its parents,
the first style in the chain that sets the property deciding. odfdo's own Markdown export is
not used: it escapes text for its own dialect and keeps its state in a module-wide dictionary;
the walk below fills the same blocks the Word reader fills, so one mapping serves both.
"""

from __future__ import annotations

import io
from typing import Any

from odfdo import Document

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

_BOLD = {"bold", "600", "700", "800", "900"}
_QUOTE_STYLES = {"quotations", "quote", "intense quote", "citation"}
_TITLE_STYLES = {"title"}
_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp",
          "gif": "image/gif", "svg": "image/svg+xml", "wmf": "image/x-wmf", "emf": "image/x-emf",
          "bmp": "image/bmp", "tif": "image/tiff", "tiff": "image/tiff"}
# Elements without text of their own for the reader: skipped quietly.
_QUIET = {"text:bookmark", "text:bookmark-start", "text:bookmark-end", "text:soft-page-break",
          "text:reference-mark", "text:reference-mark-start", "text:reference-mark-end",
          "text:alphabetical-index-mark", "office:annotation-end", "text:sequence-decls",
          "text:variable-decls", "text:user-field-decls", "office:forms", "text:tracked-changes",
          "text:change-end", "text:toc-mark", "text:user-index-mark"}


class _Styles:
    """Bold, italic and names of styles, resolved through their parents, cached."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.cache: dict[tuple[str, str, str], Any] = {}

    def _chain(self, family: str, name: str) -> list[Any]:
        chain: list[Any] = []
        style: Any = self.document.get_style(family, name) if name else None
        while style is not None and len(chain) < 20:
            chain.append(style)
            style = self.document.get_parent_style(style)
        return chain

    def text_property(self, family: str, name: str, key: str) -> str | None:
        """The first value of `key` (e.g. fo:font-weight) in the style's chain, or None."""
        cached = (family, name, key)
        if cached not in self.cache:
            value = None
            for style in self._chain(family, name):
                found = (style.get_properties(area="text") or {}).get(key)
                if found:
                    value = str(found)
                    break
            self.cache[cached] = value
        return self.cache[cached]  # type: ignore[no-any-return]

    def formatting(self, family: str, name: str, bold: bool, italic: bool) -> tuple[bool, bool]:
        """The bold and italic of text in this style, given those of what surrounds it."""
        weight = self.text_property(family, name, "fo:font-weight")
        slant = self.text_property(family, name, "fo:font-style")
        return (bold if weight is None else weight in _BOLD,
                italic if slant is None else slant in ("italic", "oblique"))

    def names(self, family: str, name: str) -> set[str]:
        """The names (display names too) of the style and its parents, lowercased."""
        found: set[str] = set()
        for style in self._chain(family, name):
            for attribute in ("style:name", "style:display-name"):
                value = style.get_attribute(attribute)
                if isinstance(value, str):
                    found.add(value.replace("_20_", " ").lower())
        return found

    def ordered(self, list_style: str, depth: int) -> bool:
        """Whether the list style numbers its items at this depth (else bullets)."""
        style = self.document.get_style("list", list_style) if list_style else None
        if style is None:
            return False
        for child in style.children:
            level = child.get_attribute("text:level")
            if str(level) == str(depth + 1):
                return child.tag == "text:list-level-style-number"
        return False


def read_odt(data: bytes, filename: str) -> ReadDocument:
    """The document's blocks and what could not be mapped. `data` has passed the media checks
    (no scripts or macros, no links to templates or other files)."""
    document = Document(io.BytesIO(data))
    walker = _Walker(document)
    for child in document.body.children:
        walker.element(child)
    blocks = number_blocks(walker.blocks)
    notes = _page_furniture(document)
    notes += [Note(where(blocks, index, inside), what, index if inside else index - 0.5)
             for index, inside, what in walker.pending]
    language = document.meta.get_language() or ""
    return ReadDocument(filename, blocks, notes, language)


def _page_furniture(document: Document) -> list[Note]:
    """Notes on the page headers and footers (of the master pages), which are not read."""
    notes = []
    for tag, which in (("style:header", "page header"), ("style:footer", "page footer")):
        for part in document.styles.get_elements(f"descendant::{tag}"):
            text = " ".join(part.text_recursive.split())
            pictures = len(part.get_elements("descendant::draw:frame"))
            said = ", ".join(bit for bit in (short(text) if text else "", f"{pictures} picture(s)" if pictures else "")
                             if bit)
            if said:
                notes.append(Note("", f"the {which} ({said}) is not carried over"))
    return notes


class _Walker:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.styles = _Styles(document)
        self.blocks: list[Block] = []
        self.pending: list[tuple[int, bool, str]] = []
        self.images = 0

    def note(self, what: str, inside: bool) -> None:
        self.pending.append((len(self.blocks), inside, what))

    def element(self, element: Any, list_style: str = "", depth: int = -1) -> None:
        tag = element.tag
        if tag == "text:h":
            level = int(element.get_attribute("text:outline-level") or 1)
            self.block(element, BlockKind.HEADING, level=level)
        elif tag == "text:p":
            names = self.styles.names("paragraph", str(element.get_attribute("text:style-name") or ""))
            if names & _TITLE_STYLES:
                self.block(element, BlockKind.HEADING, level=1, title=True)
            elif names & _QUOTE_STYLES:
                self.block(element, BlockKind.QUOTE)
            elif depth >= 0:
                self.block(element, BlockKind.LIST_ITEM, ordered=self.styles.ordered(list_style, depth), depth=depth)
            else:
                self.block(element, BlockKind.PARAGRAPH)
        elif tag == "text:list":
            style = str(element.get_attribute("text:style-name") or list_style)
            for item in element.children:
                if item.tag not in ("text:list-item", "text:list-header"):
                    continue
                first = True
                for child in item.children:
                    if child.tag == "text:list":
                        self.element(child, style, depth + 1)
                    elif first and child.tag in ("text:p", "text:h"):
                        self.element(child, style, depth + 1)
                        first = False
                    else:  # a second paragraph in one item: a paragraph of its own
                        self.element(child)
        elif tag in ("text:section", "text:index-body"):
            for child in element.children:
                self.element(child, list_style, depth)
        elif tag == "table:table":
            rows = element.get_elements("descendant::table:table-row")
            columns = max((len(row.get_elements("table:table-cell")) for row in rows), default=0)
            text = " ".join(element.text_recursive.split())
            self.note(f"a table ({len(rows)} rows × {columns} columns) was left out: "
                      f"{short(text) if text else '(empty)'}; write it as a list, or attach it as a document",
                      inside=False)
            pictures: list[Image] = []
            for frame in element.get_elements("descendant::draw:frame"):  # a table's pictures stay the release's
                self.frame(frame, pictures)
            self.blocks.extend(Block(BlockKind.IMAGE, image=picture) for picture in pictures)
        elif tag in _QUIET:
            return
        else:
            text = " ".join(str(element.text_recursive).split())
            if text:
                self.note(f"{tag} was left out: {short(text)}", inside=False)

    def block(self, element: Any, kind: BlockKind, **values: Any) -> None:
        style = str(element.get_attribute("text:style-name") or "")
        bold, italic = self.styles.formatting("paragraph", style, False, False)
        runs: list[Run] = []
        pictures: list[Image] = []
        start = len(self.pending)
        self.inline(element, runs, pictures, bold, italic, None)
        block = Block(kind, merge_runs(runs), **values)
        if block.text:
            self.blocks.append(block)
        else:
            self.pending[start:] = [(len(self.blocks), False, what) for _, _, what in self.pending[start:]]
        for picture in pictures:
            self.blocks.append(Block(BlockKind.IMAGE, image=picture))

    def inline(self, element: Any, runs: list[Run], pictures: list[Image], bold: bool, italic: bool,
               href: str | None) -> None:
        if element.text:
            runs.append(Run(element.text, bold, italic, href))
        for child in element.children:
            self.child(child, runs, pictures, bold, italic, href)
            if child.tail:
                runs.append(Run(child.tail, bold, italic, href))

    def child(self, child: Any, runs: list[Run], pictures: list[Image], bold: bool, italic: bool,
              href: str | None) -> None:
        tag = child.tag
        if tag == "text:span":
            span_bold, span_italic = self.styles.formatting(
                "text", str(child.get_attribute("text:style-name") or ""), bold, italic)
            self.inline(child, runs, pictures, span_bold, span_italic, href)
        elif tag == "text:a":
            self.inline(child, runs, pictures, bold, italic, str(child.get_attribute("xlink:href") or "") or None)
        elif tag == "text:line-break":
            runs.append(Run("", newline=True))
        elif tag == "text:s":
            runs.append(Run(" " * int(child.get_attribute("text:c") or 1), bold, italic, href))
        elif tag == "text:tab":
            runs.append(Run(" ", bold, italic, href))
        elif tag == "draw:frame":
            self.frame(child, pictures)
        elif tag == "office:annotation":
            text = " ".join(" ".join(p.text_recursive for p in child.get_elements("descendant::text:p")).split())
            self.note(f"a comment was left out: {short(text)}", inside=True)
        elif tag == "text:note":
            kind = "an endnote" if child.get_attribute("text:note-class") == "endnote" else "a footnote"
            body = child.get_elements("text:note-body")
            text = " ".join(body[0].text_recursive.split()) if body else ""
            self.note(f"{kind} was left out: {short(text)}; put it in the text if it matters", inside=True)
        elif tag in ("text:change", "text:change-start"):
            self.note(self.tracked(str(child.get_attribute("text:change-id") or "")), inside=True)
        elif tag in _QUIET:
            return
        else:  # fields (dates, page numbers), ruby text …: their text, as it shows
            self.inline(child, runs, pictures, bold, italic, href)

    def tracked(self, change_id: str) -> str:
        """What a tracked change is, read from the document's list of changes."""
        for region in self.document.body.get_elements("descendant::text:changed-region"):
            if region.get_attribute("text:id") != change_id and region.get_attribute("xml:id") != change_id:
                continue
            if region.get_elements("text:deletion"):
                text = " ".join(region.text_recursive.split())
                return (f"a tracked deletion was left out, as if accepted: {short(text)}; accept or reject the "
                        "changes in LibreOffice to be sure")
            return ("a tracked change was read as accepted; accept or reject the changes in LibreOffice to be "
                    "sure")
        return "a tracked change was read as accepted"

    def frame(self, frame: Any, pictures: list[Image]) -> None:
        """A picture (its bytes and description), or a text box (left out, said)."""
        images = frame.get_elements("draw:image")
        if frame.get_elements("draw:text-box"):
            text = " ".join(frame.text_recursive.split())
            self.note(f"a text box was left out: {short(text) if text else '(empty)'}; put its text in the body "
                      "if it belongs there", inside=True)
            return
        if not images:
            self.note("an embedded object was left out", inside=True)
            return
        target = str(images[0].get_attribute("xlink:href") or "")
        part = self.document.get_part(target) if target and "://" not in target else None
        if not isinstance(part, bytes):
            self.note("a picture linked from outside the document was left out; insert the picture itself",
                      inside=True)
            return
        alt = ""
        for name in ("svg:desc", "svg:title"):
            found = frame.get_elements(name)
            if found and found[0].text_recursive.strip():
                alt = " ".join(found[0].text_recursive.split())
                break
        extension = target.rsplit(".", 1)[-1].lower() if "." in target else ""
        self.images += 1
        pictures.append(Image(part, _picture_type(part) or _TYPES.get(extension, "application/octet-stream"), alt))


def _picture_type(data: bytes) -> str:
    """The type of a picture by its first bytes (the name in the package may say nothing)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return ""
