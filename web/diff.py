"""The review page's diff: what changed between two revisions, per language and field.

Every text (title, lead, body, links) is compared word by word with its white space and line
breaks kept (difflib over words and the spaces between them), so nine words added to a paragraph
show as nine inserted words, not as a paragraph deleted and typed again; the other fields (lists,
topics, the contacts' details, times) are shown as before → after when they differ, and so are
the files: added, removed, or changed (role, texts), matched by their SHA-256.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from workflow.content import ContactDetails, ReleaseContent


@dataclass(frozen=True)
class Piece:
    """A run of text that is unchanged ("equal"), added ("insert") or removed ("delete")."""

    op: str
    text: str


@dataclass
class FieldDiff:
    name: str
    pieces: list[Piece]
    changed: bool


@dataclass
class LanguageDiff:
    language: str
    fields: list[FieldDiff] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(f.changed for f in self.fields)


_TOKENS = re.compile(r"\s+|\S+")


def _diff(old: list[str], new: list[str]) -> list[Piece]:
    pieces: list[Piece] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(Piece("equal", "".join(old[a1:a2])))
            continue
        if a2 > a1:
            pieces.append(Piece("delete", "".join(old[a1:a2])))
        if b2 > b1:
            pieces.append(Piece("insert", "".join(new[b1:b2])))
    return pieces


def _joined(pieces: list[Piece]) -> list[Piece]:
    """Changes separated only by white space read as one change: a space both versions happen
    to share between two rewritten words is not worth a cut (nor are its two extra marks)."""
    out: list[Piece] = []
    deleted, inserted = "", ""

    def flush() -> None:
        nonlocal deleted, inserted
        if deleted:
            out.append(Piece("delete", deleted))
        if inserted:
            out.append(Piece("insert", inserted))
        deleted, inserted = "", ""

    for index, piece in enumerate(pieces):
        if piece.op == "delete":
            deleted += piece.text
        elif piece.op == "insert":
            inserted += piece.text
        elif (not piece.text.strip() and (deleted or inserted) and index + 1 < len(pieces)
              and pieces[index + 1].op != "equal"):
            deleted += piece.text if deleted else ""
            inserted += piece.text if inserted else ""
        else:
            flush()
            out.append(piece)
    flush()
    return out


def diff_words(old: str, new: str) -> list[Piece]:
    """Word by word; white space and line breaks are kept as they are."""
    return _joined(_diff(_TOKENS.findall(old), _TOKENS.findall(new)))


def compare(old: ReleaseContent | None, new: ReleaseContent) -> tuple[list[LanguageDiff], list[dict[str, Any]]]:
    """Per-language diffs of title, lead, body and links, and the other fields that changed."""
    languages = list(new.translations) + [
        lang for lang in (old.translations if old else {}) if lang not in new.translations
    ]
    result = []
    for lang in languages:
        before = old.translations.get(lang) if old else None
        after = new.translations.get(lang)
        diff = LanguageDiff(lang)
        for name in ("title", "lead", "body"):
            a = getattr(before, name, "") if before else ""
            b = getattr(after, name, "") if after else ""
            diff.fields.append(FieldDiff(name, diff_words(a, b), a != b))
        links_a = "\n".join(f"{x.label} | {x.url}" for x in (before.links if before else []))
        links_b = "\n".join(f"{x.label} | {x.url}" for x in (after.links if after else []))
        diff.fields.append(FieldDiff("links", diff_words(links_a, links_b), links_a != links_b))
        result.append(diff)
    others = []
    for name in ("kind", "default_language", "lists", "web_only", "topics", "contact_details", "embargo_until",
                 "publish_at", "organisation_version"):
        a = getattr(old, name) if old else None
        b = getattr(new, name)
        if a != b:
            others.append({"name": name, "before": _show(a), "after": _show(b)})
    return result, others


@dataclass(frozen=True)
class MediaDiff:
    """A file added, removed or changed (role, texts, name) between two revisions: what the
    reviewer signs off about it before and after (`MediaItem.label`), "" where it is not."""

    change: str  # added, removed, changed
    filename: str
    before: str
    after: str


def compare_media(old: ReleaseContent | None, new: ReleaseContent) -> list[MediaDiff]:
    """The files that differ, matched by their SHA-256 (the bytes approved), in the new order
    and then the removed ones."""
    before = {item.sha256: item for item in (old.media if old else [])}
    after = {item.sha256: item for item in new.media}
    result = []
    for sha256, item in after.items():
        was = before.get(sha256)
        if was is None:
            result.append(MediaDiff("added", item.filename, "", item.label()))
        elif was != item:
            result.append(MediaDiff("changed", item.filename, was.label(), item.label()))
    result += [MediaDiff("removed", item.filename, item.label(), "")
               for sha256, item in before.items() if sha256 not in after]
    return result


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return "; ".join(v.label() if isinstance(v, ContactDetails) else str(v) for v in value) or "—"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(getattr(value, "value", value))
