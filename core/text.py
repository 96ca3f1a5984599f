"""Text that shows what it says: names and labels must not hide characters or reorder themselves.

People read and compare names, list names and titles in mail headers, on the press pages and
under releases. Some characters draw nothing or change the order in which the rest is drawn, so
a text can look like something it is not: "Minister\\u202egnp.exe" shows as "Ministerexe.png",
and "Jan\\u200bPeeters" looks exactly like "JanPeeters" while being another name.
`refuse_hidden_characters` refuses such text where it comes in, naming the field, the character
and its position; accented letters, Arabic and Hebrew pass untouched.

Always refused:

- bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they
  reorder what follows them, which is how "gnp.exe" shows as "exe.png";
- every other invisible format character (Unicode category Cf): zero-width space U+200B,
  word joiner and invisible operators U+2060–U+2064, U+FEFF, U+180E, the soft hyphen U+00AD
  (invisible except at a line break), tag characters U+E0000–U+E007F (they can smuggle a whole
  hidden ASCII text), interlinear annotation marks, …;
- characters that draw as nothing although they are not format characters: the Hangul fillers
  U+115F, U+1160, U+3164 and U+FFA0, the combining grapheme joiner U+034F and the blank
  braille pattern U+2800;
- lone surrogates (U+D800–U+DFFF), which cannot even be stored as UTF-8.

Allowed where they do a job, refused elsewhere (Unicode's own rules for these characters):

- U+200C ZERO WIDTH NON-JOINER and U+200D ZERO WIDTH JOINER are part of the spelling of
  Persian, Urdu and Indic words: allowed after a virama (the IDNA rule, RFC 5892 appendix A) or
  between two letters of a joining script such as Arabic; the joiner also between two symbols,
  where it builds one emoji out of several. Between Latin letters they only make two names
  that look alike differ, and are refused.
- U+200E LEFT-TO-RIGHT MARK, U+200F RIGHT-TO-LEFT MARK and U+061C ARABIC LETTER MARK place
  punctuation and digits in text that mixes directions (a Hebrew name followed by a Dutch
  word in brackets). They cannot reorder letters, so they are allowed in text that contains a
  right-to-left letter and refused in text without one, where they have no job to do.
- Variation selectors (U+FE00–U+FE0F, U+E0100–U+E01EF, the Mongolian U+180B–U+180D and
  U+180F) choose a glyph for the character before them (the red heart of "❤️"): one is allowed
  directly after a visible character; one anywhere else, or a run of them, carries nothing
  a reader can see and is refused.

Unassigned code points are not refused: they may be characters of a newer Unicode version than
this Python knows.
"""

from __future__ import annotations

import re
import unicodedata

from core.errors import InvalidInput

__all__ = ["HiddenCharacter", "refuse_hidden_characters", "refuse_unprintable", "xml_safe"]

_DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_JOINERS = frozenset("\u200c\u200d")
_DIRECTION_MARKS = frozenset("\u200e\u200f\u061c")
_BLANKS = frozenset("\u115f\u1160\u3164\uffa0\u034f\u2800")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_INVISIBLE = "is invisible, so the text would not show what it says"
_IDLE_MARK = "is invisible and does nothing in text without right-to-left letters"


def _is_variation_selector(char: str) -> bool:
    code = ord(char)
    return (
        0xFE00 <= code <= 0xFE0F
        or 0xE0100 <= code <= 0xE01EF
        or 0x180B <= code <= 0x180D
        or code == 0x180F
    )


class HiddenCharacter(InvalidInput, ValueError):
    """A character that is invisible or reorders the text around it; refused where text comes in.

    Also a ValueError, so that a pydantic validator that calls `refuse_hidden_characters` turns
    it into an ordinary validation error at the right field path.
    """

    def __init__(self, field: str, char: str, position: int, reason: str) -> None:
        self.char = char
        self.position = position
        self.codepoint = f"U+{ord(char):04X}"
        self.character_name = _name(char)
        super().__init__(
            field,
            f"character {self.codepoint} {self.character_name} at position {position} {reason}; "
            "remove it",
        )


def refuse_hidden_characters(value: str, field: str) -> str:
    """`value` unchanged if every character shows what it is; else raise HiddenCharacter naming
    `field`, the first offending character (U+XXXX and its Unicode name) and its position
    (counted from 1)."""
    if value.isascii():
        return value
    for match in _NON_ASCII.finditer(value):
        index = match.start()
        reason = _objection(value, index)
        if reason:
            raise HiddenCharacter(field, value[index], index + 1, reason)
    return value


def _objection(value: str, index: int) -> str:
    """Why the character at `index` may not stand there, or "" when it may."""
    char = value[index]
    if char in _DIRECTION_CONTROLS:
        return "reorders the text around it, so the text would not show what it says"
    if char in _JOINERS:
        return "" if _joins(value, index) else _INVISIBLE
    if char in _DIRECTION_MARKS:
        right_to_left = any(
            unicodedata.bidirectional(c) in ("R", "AL") and unicodedata.category(c)[0] == "L"
            for c in value
        )  # letters only: a right-to-left mark is itself of class R
        return "" if right_to_left else _IDLE_MARK
    if _is_variation_selector(char):
        # Selectors are combining marks (M), so a run of them fails this as well.
        after_visible = index > 0 and unicodedata.category(value[index - 1])[0] in "LNPS"
        return "" if after_visible else _INVISIBLE
    category = unicodedata.category(char)
    if _noncharacter(char):
        return _NONCHARACTER
    if category == "Cs":
        return "is half of a UTF-16 surrogate pair and cannot be stored"
    if char in _BLANKS or category == "Cf":
        return _INVISIBLE
    return ""


def _noncharacter(char: str) -> bool:
    code = ord(char)
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


# What a text of paragraphs may not hold besides hidden characters: control characters other
# than tab and line feed (a vertical tab is Word's Shift+Enter, a form feed a converted page
# break), and non-characters. XML 1.0 cannot carry them, so a feed holding one is not a feed,
# and MJML does not compile around them: refused where text comes in, with where and what.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")
_XML_UNSAFE = re.compile(r"[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_CONTROL = "is a control character, which pages, feeds and mail cannot show"
_NONCHARACTER = "is a Unicode non-character, which feeds and mail cannot carry"


def refuse_unprintable(value: str, field: str) -> str:
    """`value` unchanged unless it holds a control character other than tab, line feed and
    carriage return, or a non-character (U+FFFE, U+FFFF, U+FDD0…U+FDEF and their kin in every
    plane); then raise HiddenCharacter naming `field`, the character and its position."""
    match = _UNPRINTABLE.search(value)
    if match is None and value.isascii():
        return value
    if match is None:
        noncharacters = (i for i, c in enumerate(value) if ord(c) > 0xFFFF and _noncharacter(c))
        index = next(noncharacters, -1)
        if index < 0:
            return value
    else:
        index = match.start()
    char = value[index]
    reason = _NONCHARACTER if _noncharacter(char) else _CONTROL
    raise HiddenCharacter(field, char, index + 1, reason)


def xml_safe(value: str) -> str:
    """`value` without the characters XML 1.0 cannot hold: for text stored before they were
    refused at the door, so that one old release cannot make a feed unreadable."""
    return _XML_UNSAFE.sub("", value)


def _joins(value: str, index: int) -> bool:
    """Whether the zero-width (non-)joiner at `index` is part of the spelling around it."""
    if index == 0 or index + 1 >= len(value):
        return False
    if unicodedata.combining(value[index - 1]) == 9:  # after a virama: RFC 5892 A.1 and A.2
        return True
    before = index - 1  # the letter or emoji itself, past its marks, selector and skin tone
    while before > 0 and (
        unicodedata.category(value[before]) == "Mn" or 0x1F3FB <= ord(value[before]) <= 0x1F3FF
    ):
        before -= 1
    previous, following = value[before], value[index + 1]
    if unicodedata.bidirectional(previous) == "AL" and unicodedata.bidirectional(following) == "AL":
        return True
    emoji = unicodedata.category(previous) == unicodedata.category(following) == "So"
    return emoji and value[index] == "\u200d"


def _name(char: str) -> str:
    if unicodedata.category(char) == "Cs":
        return "(a lone surrogate)"
    return unicodedata.name(char, "(unnamed)")
