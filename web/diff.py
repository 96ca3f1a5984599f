"""The review page's diff: what changed between two revisions, per language and field.

Titles and leads are compared word by word, bodies line by line (difflib); the other fields
(lists, topics, the contacts' details, times) are shown as before → after when they differ.
"""

from __future__ import annotations

import difflib
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


def _diff(old: list[str], new: list[str], joiner: str) -> list[Piece]:
    pieces: list[Piece] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(Piece("equal", joiner.join(old[a1:a2])))
            continue
        if a2 > a1:
            pieces.append(Piece("delete", joiner.join(old[a1:a2])))
        if b2 > b1:
            pieces.append(Piece("insert", joiner.join(new[b1:b2])))
    return pieces


def diff_words(old: str, new: str) -> list[Piece]:
    """Word by word; runs of white space count as one space."""
    return [Piece(p.op, p.text + " ") for p in _diff(old.split(), new.split(), " ")]


def diff_lines(old: str, new: str) -> list[Piece]:
    pieces = _diff(old.splitlines(), new.splitlines(), "\n")
    return [Piece(p.op, p.text + "\n") for p in pieces]


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
            pieces = diff_lines(a, b) if name == "body" else diff_words(a, b)
            diff.fields.append(FieldDiff(name, pieces, a != b))
        links_a = "\n".join(f"{x.label} | {x.url}" for x in (before.links if before else []))
        links_b = "\n".join(f"{x.label} | {x.url}" for x in (after.links if after else []))
        diff.fields.append(FieldDiff("links", diff_lines(links_a, links_b), links_a != links_b))
        result.append(diff)
    others = []
    for name in ("kind", "default_language", "lists", "web_only", "topics", "contact_details", "embargo_until",
                 "publish_at", "organisation_version"):
        a = getattr(old, name) if old else None
        b = getattr(new, name)
        if a != b:
            others.append({"name": name, "before": _show(a), "after": _show(b)})
    return result, others


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return "; ".join(v.label() if isinstance(v, ContactDetails) else str(v) for v in value) or "—"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(getattr(value, "value", value))
