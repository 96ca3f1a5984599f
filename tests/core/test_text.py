"""Text that lies is refused: direction overrides and invisible characters, with the field, the
character and its position; accented, Arabic, Hebrew, Persian and Indic text passes.

`LIES` and `HONEST` are the samples every door's test feeds in (tests/workflow,
tests/subscribers)."""

from __future__ import annotations

import re
import time

import pytest
from pydantic import BaseModel, ValidationError, field_validator

from core.errors import InvalidInput
from core.text import HiddenCharacter, refuse_hidden_characters

# What an attacker or a careless copy-paste sends, and what the error must say about it.
LIES = {
    "Minister\u202egnp.exe": "character U+202E RIGHT-TO-LEFT OVERRIDE at position 9",
    "Jan\u200bPeeters": "character U+200B ZERO WIDTH SPACE at position 4",
}
HONEST = ("Émile Brontë", "محمد", "שלום")

REFUSED = [
    ("Minister\u202egnp.exe", "U+202E", 9),
    ("\u202aA", "U+202A", 1),  # embeddings, overrides …
    ("A\u202b", "U+202B", 2),
    ("A\u202cB", "U+202C", 2),
    ("A\u202dB", "U+202D", 2),
    ("Jan \u2066nepo\u2069", "U+2066", 5),  # … and isolates
    ("Jan \u2067x", "U+2067", 5),
    ("Jan \u2068x", "U+2068", 5),
    ("Jan \u2069", "U+2069", 5),
    ("Jan\u200bPeeters", "U+200B", 4),  # zero-width space
    ("Jan\u2060Peeters", "U+2060", 4),  # word joiner
    ("a\u2061b\u2062c\u2063d\u2064", "U+2061", 2),  # invisible operators
    ("\ufeffJan", "U+FEFF", 1),  # byte order mark in the middle of data
    ("Jan\u180ePeeters", "U+180E", 4),  # Mongolian vowel separator
    ("\u115fJan", "U+115F", 1),  # Hangul fillers
    ("Jan\u1160", "U+1160", 4),
    ("\u3164", "U+3164", 1),
    ("Jan\uffa0", "U+FFA0", 4),
    ("Jan\u00adPeeters", "U+00AD", 4),  # soft hyphen
    ("Jan\U000e0001\U000e0069\U000e0067\U000e006e", "U+E0001", 4),  # tag characters
    ("Minister\U000e0041\U000e0042", "U+E0041", 9),
    ("Jan\u034fPeeters", "U+034F", 4),  # combining grapheme joiner
    ("\u2800", "U+2800", 1),  # blank braille pattern
    ("Jan\ufff9note\ufffb", "U+FFF9", 4),  # interlinear annotation
    ("Jan\u200cPeeters", "U+200C", 4),  # a non-joiner between Latin letters joins nothing
    ("Jan\u200dPeeters", "U+200D", 4),
    ("\u200dJan", "U+200D", 1),
    ("Jan\u200ePeeters", "U+200E", 4),  # direction marks with no right-to-left text to place
    ("Jan\u200f", "U+200F", 4),
    ("Jan\u061c", "U+061C", 4),
    ("\ufe0fJan", "U+FE0F", 1),  # a selector with nothing to select
    ("Jan \ufe0f", "U+FE0F", 5),
    ("Jan\ufe0f\ufe0e", "U+FE0E", 5),  # a run of them hides data
    ("Jan\U000e0100\U000e0101", "U+E0101", 5),
    ("Jan\ud800", "U+D800", 4),  # half a surrogate pair
]

ACCEPTED = [
    *HONEST,
    "Zoë Ørsted-Nguyễn",
    "Ærøskøbing Œuvre ß",
    "日本語の名前",
    "Ελένη Παπαδοπούλου",
    "Владимир",
    "مُحَمَّد",  # Arabic with vowel marks
    "نامه\u200cها",  # Persian: the non-joiner is part of the spelling
    "می\u200cخواهم",
    "क्\u200dष",  # Devanagari: a joiner after a virama
    "क्\u200cष",
    "שלום (Brussel)\u200f",  # a mark placing punctuation beside Hebrew
    "\u200fمحمد - FOD",
    "محمد\u061c 2024",
    "❤\ufe0f Nieuws",  # a selector after a visible character
    "👨\u200d👩\u200d👧 gezinnen",  # a joiner between two emoji
    "👍🏽\u200d👍",
    "葛\U000e0100飾",  # an ideographic variation sequence
    "Jan Peeters\u00a0(woordvoerder)",  # no-break space is visible as a space
    "line\nbreak\ttab",  # control characters are other checks' business
    "",
]


@pytest.mark.parametrize(("text", "codepoint", "position"), REFUSED)
def test_hidden_and_reordering_characters_are_refused(text: str, codepoint: str, position: int) -> None:
    with pytest.raises(HiddenCharacter) as caught:
        refuse_hidden_characters(text, "contacts.name")
    error = caught.value
    assert (error.codepoint, error.position, error.field) == (codepoint, position, "contacts.name")
    assert error.message.startswith(f"contacts.name: character {codepoint} ")
    assert f" at position {position} " in error.message and error.message.endswith("remove it")
    assert isinstance(error, InvalidInput)


@pytest.mark.parametrize("text", ACCEPTED)
def test_honest_text_passes_unchanged(text: str) -> None:
    assert refuse_hidden_characters(text, "name") is text


@pytest.mark.parametrize(("text", "expected"), LIES.items())
def test_the_message_names_the_field_the_character_and_its_position(text: str, expected: str) -> None:
    with pytest.raises(HiddenCharacter, match=f"^name: {re.escape(expected)} "):
        refuse_hidden_characters(text, "name")


def test_overrides_and_isolates_are_said_to_reorder_and_the_rest_to_be_invisible() -> None:
    with pytest.raises(HiddenCharacter, match="reorders the text around it"):
        refuse_hidden_characters("Minister\u202egnp.exe", "name")
    with pytest.raises(HiddenCharacter, match="is invisible"):
        refuse_hidden_characters("Jan\u200bPeeters", "name")
    with pytest.raises(HiddenCharacter, match="without right-to-left letters"):
        refuse_hidden_characters("Jan\u200ePeeters", "name")


def test_inside_a_pydantic_validator_it_is_a_validation_error_at_the_field() -> None:
    """How workflow/content.py can use it: the error keeps the path of the field."""

    class Text(BaseModel):
        title: str

        @field_validator("title")
        @classmethod
        def _title(cls, value: str) -> str:
            return refuse_hidden_characters(value, "title")

    with pytest.raises(ValidationError) as caught:
        Text(title="Minister\u202egnp.exe")
    error = caught.value.errors()[0]
    assert error["loc"] == ("title",) and "U+202E RIGHT-TO-LEFT OVERRIDE at position 9" in error["msg"]


def test_a_long_text_is_checked_quickly() -> None:
    body = "Le ministre a visité Kinshasa, où il a rencontré ses homologues. " * 3000  # ~200 kB
    started = time.perf_counter()
    refuse_hidden_characters(body, "body")
    assert time.perf_counter() - started < 0.5
    with pytest.raises(HiddenCharacter, match=f"at position {len(body) + 1} "):
        refuse_hidden_characters(body + "\u200b", "body")
