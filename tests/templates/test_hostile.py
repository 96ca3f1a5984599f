"""Hostile release text through the whole renderer: sanitised, escaped, never template source."""

from __future__ import annotations

import pytest

from templates import Personalisation, Renderer
from tests.templates import samples
from tests.templates.htmlcheck import read_html

RECIPIENT = Personalisation(
    email="jan@example.org", unsubscribe_url="https://x.example/u", preferences_url="https://x.example/p"
)


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def test_script_handlers_and_bad_links_never_reach_the_html(renderer: Renderer) -> None:
    data = samples.with_text(
        samples.release(),
        "nl",
        title='Titel <script>alert("t")</script> {{ 7*7 }} {% raw %}',
        lead='Lead <img src=x onerror=alert(1)> </mj-text><mj-raw><script>x</script></mj-raw>',
        body='Body <script>alert(1)</script>\n\n[x](javascript:alert(1)) <a href="javascript:y" onclick="z">a</a>\n\n{{ config }} {% for x in y %}',
    )
    message = renderer.compile("press_release", "nl", data, samples.sender(), now=samples.NOW).personalise(RECIPIENT)
    page = read_html(message.html)
    assert page.errors == []
    assert "script" not in page.tags and page.event_handlers == []
    assert all(href.startswith(("https://", "mailto:")) for href in page.hrefs)
    assert not any(href.lower().startswith("javascript") for href in page.hrefs)
    # Jinja syntax in user text is text, not template source.
    assert "{{ 7*7 }}" in page.text and "49" not in page.text
    assert "{{ config }}" in page.text and "{% for x in y %}" in message.text
    assert 'Titel <script>alert("t")</script>' in page.text  # shown, escaped, as the author wrote it
    assert "&lt;script&gt;" in message.html
    assert "</mj-text><mj-raw>" in page.text


def test_a_marker_spelled_in_the_text_is_not_filled(renderer: Renderer) -> None:
    compiled = renderer.compile("press_release", "nl", samples.release(), samples.sender(), now=samples.NOW)
    marker_shape = "PRSNL0000000000000000unsubscribe_urlLNSRP"
    data = samples.with_text(samples.release(key="r8.1"), "nl", body=marker_shape)
    other = renderer.compile("press_release", "nl", data, samples.sender(), now=samples.NOW)
    assert marker_shape in other.personalise(RECIPIENT).text
    assert compiled.html_parts[1::2] == other.html_parts[1::2]  # the same fields, no extra


def test_emoji_non_latin_and_a_5000_character_line(renderer: Renderer) -> None:
    line = "ж" * 5000
    data = samples.with_text(
        samples.release(), "nl", title="Минск 🇧🇪 東京 — العربية", body=f"🎉 Ελληνικά\n\n{line}"
    )
    message = renderer.compile("press_release", "nl", data, samples.sender(), now=samples.NOW).personalise(RECIPIENT)
    assert "Минск 🇧🇪 東京 — العربية" in read_html(message.html).title
    assert line in message.html and line in message.text and "🎉 Ελληνικά" in message.text


def test_a_hostile_withdrawal_reason_is_shown_escaped(renderer: Renderer) -> None:
    reason = (
        '<script>alert(1)</script> <img src=x onerror=alert(1)> <a href="javascript:x">a</a>\n'
        "</mj-text><mj-raw><script>x</script></mj-raw> {{ 7*7 }} {% raw %} & PRSNL0000000000000000emailLNSRP"
    )
    compiled = renderer.compile(
        "withdrawal_notice", "fr", samples.withdrawal(reason=reason), samples.sender(), now=samples.NOW
    )
    message = compiled.personalise(RECIPIENT)
    page = read_html(message.html)
    assert page.errors == []
    assert "script" not in page.tags and page.event_handlers == []
    assert [image.get("src") for image in page.images] == [samples.sender().logo_url]  # the logo only
    assert page.resources == [samples.sender().logo_url]
    assert not any(href.lower().startswith("javascript") for href in page.hrefs)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;" in message.html
    # Shown as the withdrawer wrote it; Jinja syntax and a marker's shape stay text.
    assert '<script>alert(1)</script> <img src=x onerror=alert(1)> <a href="javascript:x">a</a>' in page.text
    assert "</mj-text><mj-raw><script>x</script></mj-raw> {{ 7*7 }} {% raw %} &" in page.text
    assert "49" not in page.text
    assert "> </mj-text><mj-raw><script>x</script></mj-raw> {{ 7*7 }} {% raw %} & PRSNL" in message.text
    assert "PRSNL0000000000000000emailLNSRP" in message.text and RECIPIENT.email not in compiled.subject
    assert "<script" not in compiled.subject and "onerror" not in compiled.subject
