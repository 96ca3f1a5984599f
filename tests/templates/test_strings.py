"""The translation tables: complete for every language, placeholders the same in each."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from templates import TEMPLATE_NAMES, translate
from templates.i18n import SUPPORTED_LANGUAGES, language_name
from templates.strings import TABLES, chain

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "mail"


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_string_has_every_language_and_the_same_placeholders(table: str) -> None:
    for key, entry in TABLES[table].items():
        assert set(entry) == set(SUPPORTED_LANGUAGES), f"{table}.{key}"
        assert all(value.strip() for value in entry.values()), f"{table}.{key} is empty somewhere"
        expected = _placeholders(entry["en"])
        for language, value in entry.items():
            assert _placeholders(value) == expected, f"{table}.{key}[{language}]"


@pytest.mark.parametrize("template", TEMPLATE_NAMES)
def test_every_key_a_template_uses_exists_in_its_chain(template: str) -> None:
    import re

    sources = [TEMPLATE_DIR / f"{template}.mjml", TEMPLATE_DIR / f"{template}.txt"]
    text = "".join(path.read_text(encoding="utf-8") for path in sources)
    # Follow {% extends %} so keys used by parents are checked against this template's chain.
    for parent in re.findall(r'extends "([^"]+)"', text):
        text += (TEMPLATE_DIR / parent).read_text(encoding="utf-8")
        for grandparent in re.findall(r'extends "([^"]+)"', (TEMPLATE_DIR / parent).read_text(encoding="utf-8")):
            text += (TEMPLATE_DIR / grandparent).read_text(encoding="utf-8")
    keys = set(re.findall(r't\("([a-z_]+)"', text))
    assert keys
    for key in keys:
        for language in SUPPORTED_LANGUAGES:
            translate(template, language, key)  # raises KeyError when missing
    assert chain(template)[-1] == "base"


def test_a_missing_key_is_a_bug_not_a_silent_fallback() -> None:
    with pytest.raises(KeyError, match="no_such_key"):
        translate("press_release", "nl", "no_such_key")


def test_values_are_not_parsed_as_format_strings() -> None:
    assert translate("review_request", "en", "subject", title="{0} {title!r}") == "For review: {0} {title!r}"


def test_language_names_are_native() -> None:
    assert [language_name(lang) for lang in ("nl", "fr", "en", "de")] == ["Nederlands", "Français", "English", "Deutsch"]
    assert language_name("fr", "nl") == "Frans"
