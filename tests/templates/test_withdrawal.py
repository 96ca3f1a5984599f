"""The withdrawal notice: who received a release is told, in their language, to disregard it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from templates import MissingTranslation, Personalisation, Renderer, WithdrawalInput, translate
from tests.templates import samples
from tests.templates.htmlcheck import read_html

RECIPIENT = Personalisation(
    email="jan@example.org",
    name="Jan Janssens",
    unsubscribe_url="https://diplomatie.example.be/u/tok-1?list=journalists&x=1",
    preferences_url="https://diplomatie.example.be/p/tok-1",
)
# Published 20 April 2026, 11:05; withdrawn a day and an hour later (times in Brussels).
EXPECTED = {
    "nl": ("Ingetrokken: ", "Het volgende bericht van 20 april 2026, 11:05 werd ingetrokken:",
           "Reden:", "Gelieve er geen rekening mee te houden.", "Ingetrokken op 21 april 2026, 12:05."),
    "fr": ("Retiré : ", "Le communiqué suivant du 20 avril 2026, 11:05 a été retiré :",
           "Motif\u00a0:", "Nous vous prions de ne pas en tenir compte.", "Retiré le 21 avril 2026, 12:05."),
    "en": ("Withdrawn: ", "The following release of 20 April 2026, 11:05 has been withdrawn:",
           "Reason:", "Please disregard it.", "Withdrawn on 21 April 2026, 12:05."),
    "de": ("Zurückgezogen: ", "Die folgende Mitteilung vom 20. April 2026, 11:05 wurde zurückgezogen:",
           "Grund:", "Bitte betrachten Sie sie als gegenstandslos.", "Zurückgezogen am 21. April 2026, 12:05."),
}


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def _render(renderer: Renderer, language: str, data: WithdrawalInput | None = None) -> tuple[str, str, str]:
    compiled = renderer.compile(
        "withdrawal_notice", language, data or samples.withdrawal(), samples.sender(), now=samples.NOW
    )
    message = compiled.personalise(RECIPIENT)
    return compiled.subject, message.html, message.text


@pytest.mark.parametrize("language", samples.LANGUAGES)
def test_says_which_release_is_withdrawn_why_and_to_disregard_it(renderer: Renderer, language: str) -> None:
    subject, html, text = _render(renderer, language)
    prefix, intro, reason_label, disregard, withdrawn_at = EXPECTED[language]
    title = samples.TITLES[language]
    assert subject == prefix + title
    page = read_html(html)
    assert page.errors == [] and page.lang == language and page.title.strip() == subject
    assert f'<h1 lang="{language}"' in html
    for part in (page.text, text):
        assert translate("base", language, "greeting", name="Jan Janssens") in part
        for expected in (intro, title, disregard, withdrawn_at):
            assert expected in part
        assert "De cijfers van hoofdstuk 3 bevatten een fout." in part
    assert f"\n{reason_label}\n> " in text
    assert " ".join(reason_label.split()) in page.text  # the page text reads the no-break space as a space
    assert "De cijfers van hoofdstuk 3 bevatten een fout.<br />" in html
    assert "> De cijfers van hoofdstuk 3 bevatten een fout.\n> Een verbeterde versie volgt.\n" in text


@pytest.mark.parametrize("language", samples.LANGUAGES)
def test_is_a_list_mail_with_unsubscribe_and_preferences(renderer: Renderer, language: str) -> None:
    compiled = renderer.compile("withdrawal_notice", language, samples.withdrawal(), samples.sender(), now=samples.NOW)
    assert compiled.bulk
    message = compiled.personalise(RECIPIENT)
    page = read_html(message.html)
    assert RECIPIENT.unsubscribe_url in page.hrefs and RECIPIENT.preferences_url in page.hrefs
    assert "https://diplomatie.example.be/u/tok-1?list=journalists&amp;x=1" in message.html
    unsubscribe = translate("base", language, "unsubscribe") + translate("base", language, "colon")
    assert f"{unsubscribe} {RECIPIENT.unsubscribe_url}\n" in message.text
    why = translate("base", language, "why_bulk", email=RECIPIENT.email, organisation=samples.sender().name)
    assert why in message.text
    # Nothing else to open: the release is gone; "view online" leads to the organisation's site.
    assert set(page.hrefs) == {
        samples.SITE, RECIPIENT.unsubscribe_url, RECIPIENT.preferences_url,
    }


def test_the_readers_language_else_the_default_languages_title(renderer: Renderer) -> None:
    data = samples.withdrawal(titles=(("fr", samples.TITLES["fr"]), ("nl", samples.TITLES["nl"])))
    assert _render(renderer, "fr", data)[0] == f"Retiré : {samples.TITLES['fr']}"

    subject, html, text = _render(renderer, "de", data)
    assert subject == f"Zurückgezogen: {samples.TITLES['nl']}"
    assert f'<h1 lang="nl" style="font-size:20px;line-height:1.3;margin:0;color:#111111">{samples.TITLES["nl"]}</h1>' in html
    assert f"\n    {samples.TITLES['nl']}\n" in text
    assert "Die folgende Mitteilung vom 20. April 2026, 11:05 wurde zurückgezogen:" in text

    # An empty title is no title: the default language's stands in.
    data = samples.withdrawal(titles=(("en", ""), ("nl", samples.TITLES["nl"])))
    assert _render(renderer, "en", data)[0] == f"Withdrawn: {samples.TITLES['nl']}"

    no_default = samples.withdrawal(titles=(("fr", samples.TITLES["fr"]),))
    with pytest.raises(MissingTranslation, match="no 'en' text"):
        _render(renderer, "en", no_default)


@pytest.mark.parametrize("reason", [
    "Fout in de cijfers.\r\nBcc: everyone@example.org",
    "Fout in de cijfers.\rSubject: gewonnen",
    "Fout in de cijfers.\nX-Injected: 1\n",
])
def test_a_reason_with_line_breaks_never_reaches_the_subject(renderer: Renderer, reason: str) -> None:
    data = samples.withdrawal(reason=reason)
    for language in samples.LANGUAGES:
        subject, html, text = _render(renderer, language, data)
        assert subject == EXPECTED[language][0] + samples.TITLES[language]
        assert read_html(html).title.strip() == subject
        # In the body it is kept, one quoted line per line, with no stray carriage return.
        assert "> Fout in de cijfers.\n> " in text and "\r" not in text
        assert "Fout in de cijfers.<br />" in html and "\r" not in html


def test_a_title_with_a_line_break_is_one_line_in_the_subject(renderer: Renderer) -> None:
    data = samples.withdrawal(titles=(("nl", "Jaarverslag\r\n2025\tdeel 2"),))
    subject, _html, _text = _render(renderer, "nl", data)
    assert subject == "Ingetrokken: Jaarverslag 2025 deel 2"


def test_no_reason_no_reason_block(renderer: Renderer) -> None:
    _subject, html, text = _render(renderer, "en", samples.withdrawal(reason=" \r\n "))
    assert "Reason" not in read_html(html).text and "Reason" not in text
    assert "Please disregard it." in text


def test_compiled_once_per_withdrawal_and_language(renderer: Renderer) -> None:
    first = renderer.compile("withdrawal_notice", "nl", samples.withdrawal(key="w1"), samples.sender(), now=samples.NOW)
    again = renderer.compile("withdrawal_notice", "nl", samples.withdrawal(key="w1"), samples.sender(), now=samples.NOW)
    assert again is first
    other = replace(samples.withdrawal(key="w1"), reason="Een andere reden.")
    assert renderer.compile("withdrawal_notice", "nl", other, samples.sender(), now=samples.NOW) is not first
