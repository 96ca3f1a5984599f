"""The one model both readers fill: a document as a list of blocks of formatted runs.

Word (through mammoth's HTML) and LibreOffice (through odfdo) are read into these blocks, so
that one mapping step (`mapping.py`) decides what becomes the title, the lead, the body, the
contacts and the media, whichever format the author saved in. A block knows where it was in
the document (`place`), so whatever is not carried over can be said with its position.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class BlockKind(StrEnum):
    """What a block of the document is."""

    HEADING = "heading"
    PARAGRAPH = "paragraph"
    QUOTE = "quote"  # a paragraph in Word's "Quote"/"Intense Quote" style, LibreOffice's "Quotations"
    LIST_ITEM = "list_item"
    IMAGE = "image"


@dataclass
class Run:
    """A stretch of text with one formatting; `href` when it is a link's text, `newline` for a
    line break inside a paragraph (Shift+Enter)."""

    text: str
    bold: bool = False
    italic: bool = False
    href: str | None = None
    newline: bool = False


@dataclass
class Image:
    """A picture in the document: its bytes as the document holds them, and its description
    (Word's alt text, LibreOffice's "Alternative (text only)"), if the author wrote one."""

    data: bytes
    content_type: str
    alt: str = ""
    name: str = ""


@dataclass
class Block:
    """One paragraph-level piece of the document, in reading order.

    `level` is a heading's level (1 for Heading 1); `title` marks the Title style; a list item
    has its `depth` (0 for the outer list) and whether its list is `ordered`.
    """

    kind: BlockKind
    runs: list[Run] = field(default_factory=list)
    level: int = 0
    title: bool = False
    ordered: bool = False
    depth: int = 0
    image: Image | None = None
    place: int = 0  # 1-based number of the block in the document, set by `number_blocks`

    @property
    def text(self) -> str:
        """The block's plain text, line breaks kept as newlines."""
        return "".join("\n" if run.newline else run.text for run in self.runs).strip()

    @property
    def all_bold(self) -> bool:
        """Whether every visible character of the block is bold: how authors mark a lead."""
        visible = [run for run in self.runs if not run.newline and run.text.strip()]
        return bool(visible) and all(run.bold for run in visible)

    def lines(self) -> list[str]:
        """The block's text split at its line breaks, each line stripped, empty ones left out."""
        return [line.strip() for line in self.text.split("\n") if line.strip()]


@dataclass(frozen=True)
class Note:
    """Something the import could not carry over (or carried over differently): where it was
    and what it is, said in one line to the author, who then fixes the draft or the document."""

    where: str
    what: str
    order: float = field(default=-1, compare=False)  # the block's index, to list notes in document order

    def __str__(self) -> str:
        return f"{self.where}: {self.what}" if self.where else self.what


@dataclass
class ReadDocument:
    """A document read into blocks, with what the reader itself could not map, and the
    language the document declares (its language property), if any."""

    filename: str
    blocks: list[Block]
    notes: list[Note] = field(default_factory=list)
    language: str = ""


def number_blocks(blocks: list[Block]) -> list[Block]:
    """Give each block its place (1-based), the number the notes say."""
    for number, block in enumerate(blocks, start=1):
        block.place = number
    return blocks


def merge_runs(runs: list[Run]) -> list[Run]:
    """Adjacent runs with the same formatting and link joined, empty ones dropped: readers
    split text at every attribute change, Markdown reads better without that."""
    merged: list[Run] = []
    for run in runs:
        if not run.newline and not run.text:
            continue
        last = merged[-1] if merged else None
        if (last is not None and not last.newline and not run.newline and last.bold == run.bold
                and last.italic == run.italic and last.href == run.href):
            last.text += run.text
        else:
            merged.append(Run(run.text, run.bold, run.italic, run.href, run.newline))
    return merged


def short(text: str, limit: int = 80) -> str:
    """A text quoted for a note, cut at `limit` characters."""
    text = " ".join(text.split())
    return f"“{text[:limit]}…”" if len(text) > limit else f"“{text}”"


def where(blocks: list[Block], index: int, inside: bool) -> str:
    """A position as the author finds it in the document: "paragraph 7 (under “Rethink
    network”)" for something in block `index`, "after paragraph 6 …" for something standing
    before block `index` (between blocks)."""
    if not blocks:
        return "in the document"
    if index >= len(blocks):
        at, last = f"at the end, after paragraph {blocks[-1].place}", len(blocks)
    elif inside:
        at, last = f"paragraph {blocks[index].place}", index
    elif index == 0:
        return "at the start of the document"
    else:
        at, last = f"after paragraph {blocks[index - 1].place}", index
    heading = next((block for block in reversed(blocks[:last]) if block.kind is BlockKind.HEADING), None)
    return f"{at} (under {short(heading.text, 50)})" if heading is not None else at
