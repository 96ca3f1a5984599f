"""From blocks to a release's text: title, lead, Markdown body, contact persons and pictures.

The same rules for Word and LibreOffice documents:

- the title is the first paragraph in the Title style, else the first heading; what stands
  before it (a "PERSBERICHT" line, a logo) is left out and said;
- the lead is the first paragraph entirely in bold before the first subheading;
- the body is Markdown: subheadings (the shallowest becomes `##`), bullet and numbered lists
  (nested), bold and italic, links (http, https and mailto only; others are said and kept as
  text), quotes (only the Quote styles become `>`; a paragraph in quotation marks stays one);
- a "Contact" / "Perscontact" / "Contact presse" / "Pressekontakt" / "Press contact" heading or
  line starts the contact block, up to the next heading: per person a name, a function,
  Tel./Tél./Phone, Gsm/Mobile/Portable and e-mail lines;
- pictures are collected with their descriptions, in order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from workflow.content import Link
from workflow.imports.blocks import Block, BlockKind, Image, Note, ReadDocument, Run, short, where

CONTACT_LABELS = {
    "contact", "contacts", "perscontact", "perscontacten", "contactpersoon", "contactpersonen",
    "contact presse", "contacts presse", "contact pour la presse", "contacts pour la presse",
    "pressekontakt", "pressekontakte", "press contact", "press contacts", "media contact",
    "media contacts", "contact media", "contact médias",
}
_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PHONE_VALUE = r"(?=[+(0-9])"
_PHONE = re.compile(r"^(?:tel(?:efoon|ephone|efon)?|t[ée]l(?:[ée]phone)?|phone|fon|t)\.?\s*:?\s*" + _PHONE_VALUE,
                    re.IGNORECASE)
_MOBILE = re.compile(r"^(?:gsm|mobiel|mobile?|mob|portable|port|handy|cell(?:phone)?|m)\.?\s*:?\s*" + _PHONE_VALUE,
                     re.IGNORECASE)
_EMAIL_LABEL = re.compile(r"^(?:e-?mail(?:adres)?|mail|courriel|adresse e-mail)\s*:?\s*", re.IGNORECASE)
_ONLY_PHONE = re.compile(r"^\+?[0-9 ()./-]{6,}$")
_SEPARATORS = re.compile(r"\s+[|–—]\s+|\t+|\s*\|\s*")
# Markdown that would act if the text were taken as written.
_INLINE_ESCAPE = re.compile(r"([\\`*_\[\]<])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])(?=\s|$)")
PICTURE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


@dataclass
class Person:
    """One person of the contact block, as the document writes them."""

    block: Block | None = None
    where: str = ""
    name: str = ""
    function: str = ""
    phone: str = ""
    mobile: str = ""
    email: str = ""

    @property
    def has_details(self) -> bool:
        return bool(self.phone or self.mobile or self.email)


@dataclass
class Picture:
    """A picture of the document and where it stood, for notes."""

    image: Image
    where: str


@dataclass
class MappedText:
    """One document's text as a release takes it, and what was left out or read differently."""

    filename: str
    title: str = ""
    lead: str = ""
    body: str = ""
    people: list[Person] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


def contact_label(line: str) -> tuple[bool, str]:
    """Whether `line` opens a contact block, and what follows the label on the same line
    ("Perscontact: Anouk Peeters" → "Anouk Peeters")."""
    text = line.replace("\u00a0", " ").strip()
    head, colon, rest = text.partition(":")
    if head.strip().lower().rstrip(" .") in CONTACT_LABELS:
        return True, rest.strip() if colon else ""
    return False, ""


def map_document(document: ReadDocument) -> MappedText:
    """The release text of a document read into blocks."""
    mapped = MappedText(document.filename, notes=list(document.notes))
    blocks = document.blocks
    places = {id(block): index for index, block in enumerate(blocks)}

    def at(block: Block) -> str:
        return where(blocks, places[id(block)], True)

    def note(block: Block, what: str) -> Note:
        return Note(at(block), what, places[id(block)])

    title_block = next((block for block in blocks if block.title), None) or \
        next((block for block in blocks if block.kind is BlockKind.HEADING), None)
    start = 0
    if title_block is None:
        mapped.notes.append(Note("", "no heading and no paragraph in the Title style: the draft has no title; "
                                     "give the title the Title or Heading 1 style, or type it in the editor"))
    else:
        start = places[id(title_block)] + 1
        mapped.title = " ".join(title_block.text.split())
        for block in blocks[: start - 1]:
            if block.kind is BlockKind.IMAGE and block.image is not None:
                mapped.pictures.append(Picture(block.image, at(block)))
            elif block.text:
                mapped.notes.append(note(block, f"text before the title was left out: {short(block.text)}"))
    body_blocks = blocks[start:]
    lead_block = _lead(body_blocks)
    if lead_block is None:
        mapped.notes.append(Note("", "no paragraph entirely in bold before the first subheading: the draft has no "
                                     "lead; make the lead paragraph bold, or type it in the editor"))
    else:
        mapped.lead = " ".join(lead_block.text.split())
        for run in lead_block.runs:
            if run.href:
                mapped.notes.append(note(lead_block, f"the lead is plain text: the link to {run.href} was not "
                                                         "kept"))
    writer = _MarkdownWriter(mapped, note)
    contact_lines: list[tuple[Block, str]] = []
    in_contacts = False
    headings = [block.level for block in body_blocks if block.kind is BlockKind.HEADING
                and not contact_label(block.text)[0]]
    top = min(headings, default=2)
    for block in body_blocks:
        if block is lead_block:
            continue
        if block.kind is BlockKind.IMAGE:
            if block.image is not None:
                mapped.pictures.append(Picture(block.image, at(block)))
            continue
        lines = block.lines()
        opens, rest = contact_label(lines[0]) if lines else (False, "")
        if opens:
            in_contacts = True
            contact_lines.extend((block, line) for line in ([rest] if rest else []) + lines[1:])
            continue
        if in_contacts and block.kind is not BlockKind.HEADING:
            contact_lines.extend((block, line) for line in lines)
            continue
        in_contacts = False
        writer.block(block, top)
    mapped.body = writer.text()
    mapped.people = _people(contact_lines, mapped.notes, note)
    for person in mapped.people:
        person.where = at(person.block) if person.block is not None else ""
    mapped.notes.sort(key=lambda said: said.order)
    return mapped


def _lead(blocks: list[Block]) -> Block | None:
    for block in blocks:
        if block.kind is BlockKind.HEADING:
            return None
        if block.kind is BlockKind.PARAGRAPH and block.all_bold and not contact_label(block.lines()[0])[0]:
            return block
    return None


def _people(lines: list[tuple[Block, str]], notes: list[Note], note: Callable[[Block, str], Note]) -> list[Person]:
    """The contact block's lines as persons: a name, then a function, then labelled lines;
    an unlabelled line after a person's details starts the next person."""
    people: list[Person] = []
    person: Person | None = None
    for block, line in lines:
        for part in (piece.strip() for piece in _SEPARATORS.split(line)):
            if not part:
                continue
            if person is None:
                person = Person(block)
                people.append(person)
            email = _EMAIL.search(part)
            if email and (_EMAIL_LABEL.match(part) or part == email.group() or part.strip("<>()") == email.group()):
                person.email = email.group()
                continue
            phone, mobile = _PHONE.match(part), _MOBILE.match(part)
            if mobile:
                person.mobile = part[mobile.end():].strip()
            elif phone:
                person.phone = part[phone.end():].strip()
            elif _ONLY_PHONE.match(part) and person.name:
                if person.phone:
                    person.mobile = person.mobile or part
                else:
                    person.phone = part
            elif email:  # an address inside other text: "Anouk Peeters (anouk@…)"
                person.email = email.group()
                rest = part.replace(email.group(), "").strip(" ()<>,;:-–")
                if rest and not person.name:
                    person.name = rest
            elif person.has_details:
                person = Person(block, name=part)
                people.append(person)
            elif not person.name:
                name, comma, function = part.partition(",")
                person.name = name.strip()
                if comma and function.strip():
                    person.function = function.strip()
            else:
                person.function = f"{person.function}, {part}" if person.function else part
    kept = []
    for person in people:
        if person.email:
            kept.append(person)
            continue
        said = ", ".join(value for value in (person.name, person.function, person.phone, person.mobile) if value)
        if person.block is not None:
            notes.append(note(person.block, f"contact block: {short(said)} has no e-mail address, so it was not "
                                             "taken as a contact; add the address, or add the contact in the editor"))
    return kept


def escape(text: str) -> str:
    """Text as Markdown that shows it as written: inline marks and entities escaped."""
    return _ENTITY.sub("&amp;", _INLINE_ESCAPE.sub(r"\\\1", text))


def _safe_url(url: str) -> bool:
    try:
        Link(label="link", url=url)
    except ValidationError:
        return False
    return True


class _MarkdownWriter:
    """Writes blocks as the release's Markdown, saying what it could not keep."""

    def __init__(self, mapped: MappedText, note: Callable[[Block, str], Note]) -> None:
        self.mapped = mapped
        self.note = note
        self.parts: list[str] = []  # finished chunks, joined by blank lines
        self.list_lines: list[str] = []
        self.list_stack: list[list[Any]] = []  # per depth: ordered, indent, next number, marker width
        self.quote_lines: list[str] = []

    def text(self) -> str:
        self.flush()
        return "\n\n".join(self.parts).strip()

    def flush(self, keep_list: bool = False, keep_quote: bool = False) -> None:
        if self.list_lines and not keep_list:
            self.parts.append("\n".join(self.list_lines))
            self.list_lines = []
            self.list_stack = []
        if self.quote_lines and not keep_quote:
            self.parts.append("\n>\n".join(self.quote_lines))
            self.quote_lines = []

    def block(self, block: Block, top: int) -> None:
        if block.kind is BlockKind.HEADING:
            self.flush()
            level = max(2, min(4, block.level - top + 2))
            runs = [Run(run.text, False, run.italic, run.href, run.newline) for run in block.runs]
            self.parts.append("#" * level + " " + self.inline(runs, block).replace("\\\n", " "))
        elif block.kind is BlockKind.LIST_ITEM:
            self.flush(keep_list=True)
            self.item(block)
        elif block.kind is BlockKind.QUOTE:
            self.flush(keep_quote=True)
            self.quote_lines.append("\n".join(f"> {line}" if line else ">"
                                              for line in self.inline(block.runs, block).split("\n")))
        else:
            self.flush()
            self.parts.append(_guard_line_starts(self.inline(block.runs, block)))

    def item(self, block: Block) -> None:
        """A list item, nested under the item before it by its depth; numbers count on."""
        depth = min(block.depth, len(self.list_stack))
        del self.list_stack[depth + 1:]
        if len(self.list_stack) > depth and self.list_stack[depth][0] != block.ordered:
            del self.list_stack[depth:]
        if len(self.list_stack) == depth:
            indent = self.list_stack[-1][1] + self.list_stack[-1][3] if self.list_stack else 0
            self.list_stack.append([block.ordered, indent, 1, 2])
        entry = self.list_stack[depth]
        marker = f"{entry[2]}. " if block.ordered else "- "
        entry[2], entry[3] = entry[2] + 1, len(marker)
        indent = entry[1]
        lines = self.inline(block.runs, block).split("\n")
        pad = " " * (indent + len(marker))
        self.list_lines.append(" " * indent + marker + _guard_line_starts(lines[0]) +
                               "".join("\n" + pad + line for line in lines[1:]))

    def inline(self, runs: list[Run], block: Block) -> str:
        """The runs as Markdown: bold, italic, links, line breaks (as hard breaks)."""
        out: list[str] = []
        index = 0
        while index < len(runs):
            run = runs[index]
            if run.newline:
                out.append("\\\n")
                index += 1
                continue
            if run.href is not None:
                group = [run]
                index += 1
                while index < len(runs) and runs[index].href == run.href and not runs[index].newline:
                    group.append(runs[index])
                    index += 1
                label = "".join(_marked(part) for part in group)
                if _safe_url(run.href):
                    url = run.href.strip()
                    target = f"<{url}>" if any(ch in url for ch in "()<> ") else url
                    out.append(f"[{label}]({target})")
                else:
                    out.append(label)
                    said = run.href if len(run.href) < 80 else run.href[:80] + "…"
                    self.mapped.notes.append(self.note(block, f"the link to {said!r} was kept as plain text: only "
                                                              "http(s) and mailto links are carried over"))
                continue
            out.append(_marked(run))
            index += 1
        return "".join(out).strip()


def _marked(run: Run) -> str:
    text = escape(run.text)
    if not text.strip() or not (run.bold or run.italic):
        return text
    mark = "***" if run.bold and run.italic else "**" if run.bold else "*"
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()):]
    return f"{lead}{mark}{text.strip()}{mark}{trail}"


def _guard_line_starts(text: str) -> str:
    """Escape what would make a line a heading, quote, list item or rule."""
    return "\n".join(_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2) if not m.group(2)[0].isdigit()
                                     else m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], line)
                     for line in text.split("\n"))
