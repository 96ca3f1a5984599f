"""The mail templates' strings: every key a template uses is found through its chain of tables
in the catalogue (completeness across languages: tests/core/test_catalogue.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from templates import TEMPLATE_NAMES, translate
from templates.i18n import SUPPORTED_LANGUAGES, language_name
from templates.strings import chain

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "mail"


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
