"""Release bodies: Markdown in, sanitised HTML and readable text out; hostile input defused."""

from __future__ import annotations

import pytest

from templates import is_safe_url, markdown_to_html, markdown_to_text, sanitise_html
from tests.templates.htmlcheck import read_html


def test_markdown_headings_paragraphs_lists_and_links() -> None:
    source = "## Kerncijfers\n\nEen *korte* alinea.\n\n- een\n- twee\n\n1. eerst\n2. dan\n\n[site](https://example.be/a?b=1&c=2)"
    html = markdown_to_html(source)
    page = read_html(html)
    assert page.errors == []
    assert {"h2", "p", "em", "ul", "ol", "li", "a"} <= page.tags
    assert page.hrefs == ["https://example.be/a?b=1&c=2"]
    assert 'rel="noopener noreferrer"' in html and 'style="color:#1a4f8b' in html

    text = markdown_to_text(source)
    assert text.splitlines()[:2] == ["Kerncijfers", "-----------"]
    assert "- een\n- twee" in text and "1. eerst\n2. dan" in text
    assert "site <https://example.be/a?b=1&c=2>" in text


def test_web_pages_get_the_same_html_without_inline_styles() -> None:
    """The newsroom's policy refuses style attributes; its stylesheet styles the body instead."""
    source = "## Kerncijfers\n\nEen alinea.\n\n> Citaat\n\n[site](https://example.be/)"
    web, mail = markdown_to_html(source, mail=False), markdown_to_html(source)
    assert "style=" not in web and "style=" in mail
    assert read_html(web).tags == read_html(mail).tags
    assert 'href="https://example.be/"' in web and 'rel="noopener noreferrer"' in web


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "[klik](javascript:alert(1))",
        "[klik](JaVaScRiPt:alert(1))",
        "[klik](data:text/html;base64,PHNjcmlwdD4=)",
        "[klik](vbscript:msgbox)",
        '<a href="javascript:alert(1)">klik</a>',
        '<img src="x" onerror="alert(1)">',
        '<p onclick="alert(1)">tekst</p>',
        "<iframe src=https://evil.example></iframe>",
        '<style>body{background:url("https://track.example/p.gif")}</style>',
        "![pixel](https://track.example/p.gif)",
        "[relatief](/intern/pad)",
        "<https://ok.example/>",
    ],
)
def test_hostile_markdown_is_defused(hostile: str) -> None:
    page = read_html(markdown_to_html(f"Tekst voor.\n\n{hostile}\n\nTekst na."))
    assert page.errors == []
    assert page.event_handlers == []
    assert page.resources == []  # no image, frame or stylesheet loads anything
    assert not ({"script", "iframe", "img", "style"} & page.tags)
    assert all(href.startswith(("https://", "http://", "mailto:")) for href in page.hrefs)
    assert "Tekst voor." in page.text and "Tekst na." in page.text


def test_sanitiser_is_a_second_lock_on_raw_html() -> None:
    dirty = '<h2 onclick="x" style="position:fixed">T</h2><a href="javascript:x">a</a><a href="/rel">b</a><table><tr><td>c</td></tr></table>'
    clean = sanitise_html(dirty)
    page = read_html(clean)
    assert page.hrefs == [] and page.event_handlers == []
    assert "position:fixed" not in clean and "table" not in page.tags
    assert "T" in page.text and "c" in page.text


def test_long_lines_emoji_and_non_latin_survive() -> None:
    line = "ж" * 5000
    source = f"Emoji 🇧🇪🎉 en 日本語, العربية, Ελληνικά.\n\n{line}"
    html = markdown_to_html(source)
    assert "🇧🇪🎉" in html and "日本語" in html and "العربية" in html and line in html
    assert line in markdown_to_text(source)


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.be", True),
        ("http://example.be/a b", False),
        ("https://", False),
        ("mailto:pers@example.be", True),
        ("mailto:", False),
        ("javascript:alert(1)", False),
        ("//example.be/x", False),
        ("/relative", False),
        ("https://example.be/\r\nX-Injected: 1", False),
    ],
)
def test_safe_urls(url: str, safe: bool) -> None:
    assert is_safe_url(url) is safe
