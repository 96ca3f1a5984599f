"""Release content: what is refused, with a message that says what and where."""

from __future__ import annotations

import pytest

from core.errors import InvalidInput
from tests.factories import content
from workflow.content import parse_content


def _nl(**fields: object) -> dict[str, object]:
    return {"translations": {"nl": {"title": "Titel", "body": "Tekst", **fields}}}


@pytest.mark.parametrize("title", ["Line one\r\nBcc: victim@example.org", "Tab\there", "Null\x00", "LS\u2028x"])
def test_title_with_line_breaks_or_control_characters_is_refused(title: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_content(_nl(title=title))
    assert caught.value.field == "translations.nl.title"
    assert "one line without control characters" in caught.value.problem


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "ftp://host/x", "https://a b"])
def test_links_must_be_http_or_mailto(url: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_content(_nl(links=[{"label": "Click", "url": url}]))
    assert caught.value.field == "translations.nl.links.0.url"


def test_accepted_links_and_text_are_normalised() -> None:
    parsed = parse_content(_nl(links=[{"label": " Rapport ", "url": " https://example.be/r.pdf "},
                                      {"label": "Mail", "url": "mailto:press@example.be"}],
                               body="Regel\r\nTwee 🇧🇪 Ελληνικά"))
    text = parsed.translations["nl"]
    assert [l.url for l in text.links] == ["https://example.be/r.pdf", "mailto:press@example.be"]
    assert text.links[0].label == "Rapport"
    assert text.body == "Regel\nTwee 🇧🇪 Ελληνικά"


def test_unknown_language_and_missing_default_are_refused() -> None:
    with pytest.raises(InvalidInput, match="language 'es' is not configured"):
        parse_content({"translations": {"es": {"title": "Hola"}}})
    with pytest.raises(InvalidInput, match="default_language 'fr' has no translation"):
        parse_content({"default_language": "fr", "translations": {"nl": {"title": "x"}}})


def test_topics_and_lists_are_slugs() -> None:
    assert content(topics=["Africa", "africa", "trade"]).topics == ["africa", "trade"]
    with pytest.raises(InvalidInput, match="is not a slug"):
        content(lists=["Journalists; DROP TABLE"])


def test_hash_is_stable_and_changes_with_content() -> None:
    assert content().content_hash() == content().content_hash()
    assert content().content_hash() != content(topics=["other"]).content_hash()
    assert len(content().content_hash()) == 64


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_content({"translations": {"nl": {"title": "x", "subtitle": "y"}}})
    assert caught.value.field == "translations.nl.subtitle"
