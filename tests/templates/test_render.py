"""Every template in every language: content, translations, dates, valid and self-contained HTML."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from core.errors import InvalidInput
from templates import (
    TEMPLATE_NAMES,
    CompiledMessage,
    Personalisation,
    Renderer,
    UnknownTemplate,
    UnsupportedLanguage,
    language_name,
    translate,
)
from templates.errors import MissingTranslation, UnsafeURL, WrongInput
from templates.i18n import format_days
from tests.templates import samples
from tests.templates.htmlcheck import read_html

RECIPIENT = Personalisation(
    email="jan@example.org",
    name="Jan Janssens",
    unsubscribe_url="https://diplomatie.example.be/u/tok-1?list=journalists&x=1",
    preferences_url="https://diplomatie.example.be/p/tok-1",
)
DATELINES = {
    "nl": "20 april 2026, 11:05",
    "fr": "20 avril 2026, 11:05",
    "en": "20 April 2026, 11:05",
    "de": "20. April 2026, 11:05",
}


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def _compile(renderer: Renderer, template: str, language: str, data: object = None) -> CompiledMessage:
    data = samples.input_for(template) if data is None else data
    return renderer.compile(template, language, data, samples.sender(), now=samples.NOW)


@pytest.mark.parametrize("language", samples.LANGUAGES)
@pytest.mark.parametrize("template", TEMPLATE_NAMES)
def test_every_template_renders_valid_self_contained_html_in_every_language(
    renderer: Renderer, template: str, language: str
) -> None:
    compiled = _compile(renderer, template, language)
    message = compiled.personalise(RECIPIENT)
    page = read_html(message.html)

    assert page.errors == []
    assert page.lang == language
    assert page.title.strip() == compiled.subject
    assert page.hrefs, "every message links somewhere"
    for href in page.hrefs:
        assert href.startswith(("https://", "mailto:")), href
    # Nothing a mail client would fetch except the configured logo.
    assert page.resources == [samples.sender().logo_url]
    assert all(image.get("alt") for image in page.images)
    assert page.event_handlers == []
    assert "script" not in page.tags
    # The organisation's footer, in HTML and text.
    for part in (page.text, message.text):
        assert "Karmelietenstraat 15, 1000 Brussel" in part
        assert samples.sender().name in part
    assert "PRSNL" not in message.html + message.text  # every marker was filled


@pytest.mark.parametrize("language", samples.LANGUAGES)
@pytest.mark.parametrize("template", ["press_release", "annual_report"])
def test_release_shows_title_dateline_body_contacts_and_other_languages(
    renderer: Renderer, template: str, language: str
) -> None:
    message = _compile(renderer, template, language).personalise(RECIPIENT)
    page = read_html(message.html)
    title = samples.TITLES[language]

    for part in (page.text, message.text):
        assert title in part
        assert f"Lead {language}:" in part
        assert DATELINES[language] in part
        assert "Kerncijfers" in part and "41.200 consulaire dossiers" in part
        # Contact block as press releases print it, in the reader's language.
        assert "Anouk Peeters" in part
        assert dict(samples.CONTACTS[0].functions)[language] in part
        assert f"{translate('press_release', language, 'phone')} +32 2 501 81 11" in part
        assert f"{translate('press_release', language, 'mobile')} +32 477 12 34 56" in part
        assert "anouk.peeters@diplomatie.example.be" in part
        # Luc Dubois has only a French function: it is printed whatever the language.
        assert "Luc Dubois" in part and "Attaché de presse" in part
        assert translate("press_release", language, "contacts") in part
        assert translate("press_release", language, "other_languages") in part
    assert "<h2" in message.html and "<ul" in message.html
    assert "mailto:anouk.peeters@diplomatie.example.be" in page.hrefs
    assert "https://diplomatie.example.be/jaarverslag" in page.hrefs
    others = {lang for lang in samples.LANGUAGES if lang != language}
    assert {f"https://diplomatie.example.be/releases/7/{lang}" for lang in others} <= set(page.hrefs)
    assert f"https://diplomatie.example.be/releases/7/{language}" in page.hrefs  # view online


@pytest.mark.parametrize("language", samples.LANGUAGES)
def test_annual_report_has_a_button_per_document(renderer: Renderer, language: str) -> None:
    data = samples.with_text(
        samples.release("annual_report"),
        language,
        links=(
            samples.text(language).links[0],
            samples.LinkItem("Bijlagen (xlsx)", "https://diplomatie.example.be/bijlagen.xlsx"),
        ),
    )
    message = _compile(renderer, "annual_report", language, data).personalise(RECIPIENT)
    label = samples.DOCUMENT_LABELS[language]
    # MJML buttons are links styled as buttons: inline-block anchors with a background.
    assert f'href="https://diplomatie.example.be/jaarverslag-2025-{language}.pdf"' in message.html
    assert f">{label}</a>" in message.html
    assert message.html.count("display:inline-block;background:#1a4f8b") == 2
    assert translate("annual_report", language, "documents") in message.text
    assert label in message.text and "https://diplomatie.example.be/bijlagen.xlsx" in message.text
    # The press release prints the same links as a plain list, not as buttons.
    plain = _compile(renderer, "press_release", language, data).personalise(RECIPIENT)
    assert "display:inline-block;background:#1a4f8b" not in plain.html
    assert label in plain.html


@pytest.mark.parametrize(
    ("language", "banner"),
    [
        ("nl", "EMBARGO tot 21 april 2026, 09:00"),
        ("fr", "EMBARGO jusqu'au 21 avril 2026, 09:00"),
        ("en", "EMBARGO until 21 April 2026, 09:00"),
        ("de", "SPERRFRIST bis 21. April 2026, 09:00"),
    ],
)
def test_embargo_banner_while_the_embargo_holds(renderer: Renderer, language: str, banner: str) -> None:
    embargo = samples.DATELINE.replace(day=21, hour=7, minute=0)  # 09:00 in Brussels
    data = samples.release(embargo_until=embargo)
    before = renderer.compile("press_release", language, data, samples.sender(), now=embargo - timedelta(minutes=1))
    message = before.personalise(RECIPIENT)
    assert banner in read_html(message.html).text
    assert banner in message.text
    assert before.subject.startswith(banner.split(" ")[0]) and samples.TITLES[language] in before.subject

    after = renderer.compile("press_release", language, data, samples.sender(), now=embargo + timedelta(seconds=1))
    assert after is not before  # the banner is part of the cache key
    assert "EMBARGO" not in after.personalise(RECIPIENT).html
    assert "SPERRFRIST" not in after.personalise(RECIPIENT).text
    assert after.subject == samples.TITLES[language]


@pytest.mark.parametrize("language", samples.LANGUAGES)
def test_digest_lists_every_release_with_its_link(renderer: Renderer, language: str) -> None:
    compiled = _compile(renderer, "digest", language)
    message = compiled.personalise(RECIPIENT)
    page = read_html(message.html)
    for item in samples.digest().items:
        assert item.title in page.text and item.title in message.text
        assert item.lead in page.text
        assert item.url in page.hrefs and item.url in message.text
    day = DATELINES[language].split(",")[0]
    assert day in compiled.subject and day in page.text
    assert translate("digest", language, "read_more") in message.text
    weekly = _compile(renderer, "digest", language, samples.digest("weekly"))
    span = format_days(samples.DATELINE.date() - timedelta(days=6), samples.DATELINE.date(), language)
    assert weekly.subject == translate("digest", language, "subject_weekly", organisation=samples.sender().name, period=span)


@pytest.mark.parametrize("language", samples.LANGUAGES)
def test_notices_say_what_to_do_in_the_readers_language(renderer: Renderer, language: str) -> None:
    confirm = _compile(renderer, "confirm_subscription", language).personalise(RECIPIENT)
    assert "https://diplomatie.example.be/subscriptions/confirm/tok-42" in read_html(confirm.html).hrefs
    assert translate("confirm_subscription", language, "button") in confirm.text
    assert "Journalisten, Consulaire zaken" in confirm.text
    assert translate("base", language, "greeting", name="Jan Janssens") in confirm.text
    # Personal mail has no unsubscribe link: it is not a list.
    assert translate("base", language, "unsubscribe") not in confirm.text
    assert RECIPIENT.unsubscribe_url not in confirm.html

    review = _compile(renderer, "review_request", language)
    assert review.subject == translate("review_request", language, "subject", title=samples.TITLES["nl"])
    assert "https://diplomatie.example.be/releases/7/review" in read_html(review.personalise(RECIPIENT).html).hrefs
    assert "Anouk Peeters" in review.personalise(RECIPIENT).text

    changes = _compile(renderer, "changes_requested", language).personalise(RECIPIENT)
    assert "> Cijfers nakijken.\n> De lead is te lang." in changes.text
    assert "Cijfers nakijken.<br />" in changes.html
    assert translate("changes_requested", language, "button") in changes.text

    receipt = _compile(renderer, "published_receipt", language).personalise(RECIPIENT)
    assert DATELINES[language] in receipt.text
    assert translate("published_receipt", language, "button") in receipt.text


@pytest.mark.parametrize("language", samples.LANGUAGES)
def test_fixed_strings_of_the_footer_are_translated(renderer: Renderer, language: str) -> None:
    message = _compile(renderer, "press_release", language).personalise(RECIPIENT)
    for key in ("view_online", "unsubscribe", "preferences"):
        assert translate("base", language, key) in message.text
    why = translate("base", language, "why_bulk", email=RECIPIENT.email, organisation=samples.sender().name)
    assert why in message.text
    page = read_html(message.html)
    assert RECIPIENT.unsubscribe_url in page.hrefs and RECIPIENT.preferences_url in page.hrefs
    # The same URL, escaped once in the HTML source.
    assert "tok-1?list=journalists&amp;x=1" in message.html


@pytest.mark.parametrize("language", samples.LANGUAGES)
@pytest.mark.parametrize("template", ["press_release", "annual_report"])
def test_an_access_query_ends_every_link_to_another_language(
    renderer: Renderer, template: str, language: str
) -> None:
    compiled = _compile(renderer, template, language)
    plain = compiled.personalise(RECIPIENT)
    with_token = compiled.personalise(replace(RECIPIENT, access_query="?access=abc.def"))
    others = [lang for lang in samples.LANGUAGES if lang != language]
    versions = {lang: f"{samples.SITE}/releases/7/{lang}" for lang in samples.LANGUAGES}

    hrefs = read_html(with_token.html).hrefs
    for lang in others:
        assert f"{versions[lang]}?access=abc.def" in hrefs
        assert versions[lang] not in hrefs
        name = language_name(lang)
        assert f'<a href="{versions[lang]}?access=abc.def" hreflang="{lang}" lang="{lang}" style="color:#1a4f8b">{name}</a>' in with_token.html
        assert f"\n- {name}: {versions[lang]}?access=abc.def\n" in with_token.text
    assert with_token.text.count("?access=abc.def") == len(others)
    assert with_token.html.count("?access=abc.def") == len(others)
    # Nothing else takes it: view online (here the own language's page), documents, the footer.
    assert versions[language] in hrefs
    assert f"{samples.SITE}/jaarverslag-2025-{language}.pdf" in hrefs and RECIPIENT.unsubscribe_url in hrefs

    # Without a token the links are the bare pages, and the message is the one it always was.
    assert compiled.personalise(replace(RECIPIENT, access_query="")) == plain
    assert "access" not in plain.html and "access" not in plain.text
    plain_hrefs = read_html(plain.html).hrefs
    for lang in others:
        assert versions[lang] in plain_hrefs
        assert f"\n- {language_name(lang)}: {versions[lang]}\n" in plain.text


def test_an_access_query_is_escaped_in_the_href_and_must_be_a_query(renderer: Renderer) -> None:
    compiled = _compile(renderer, "press_release", "nl")
    message = compiled.personalise(replace(RECIPIENT, access_query="?access=a.b&lang=fr"))
    assert f'href="{samples.SITE}/releases/7/fr?access=a.b&amp;lang=fr"' in message.html
    assert f"{samples.SITE}/releases/7/fr?access=a.b&lang=fr" in read_html(message.html).hrefs
    assert f"- Français: {samples.SITE}/releases/7/fr?access=a.b&lang=fr\n" in message.text
    for bad in ('?a="><script>x</script>', "?a b", "#access=x", "/../admin", "access=x", "?", "?a=\u00e9"):
        with pytest.raises(InvalidInput, match="access_query"):
            replace(RECIPIENT, access_query=bad)


def test_compiled_once_per_revision_language_and_template(renderer: Renderer) -> None:
    data = samples.release(key="r99.1")
    first = _compile(renderer, "press_release", "nl", data)
    assert _compile(renderer, "press_release", "nl", samples.release(key="r99.1")) is first
    assert _compile(renderer, "press_release", "fr", data) is not first
    assert _compile(renderer, "annual_report", "nl", data) is not first
    revised = samples.with_text(samples.release(key="r99.2"), "nl", title="Nieuwe titel")
    again = _compile(renderer, "press_release", "nl", revised)
    assert again is not first and again.subject == "Nieuwe titel"
    # Another organisation address is another message, even for the same revision.
    moved = renderer.compile("press_release", "nl", data, samples.sender(address="Elders 1"), now=samples.NOW)
    assert moved is not first and "Elders 1" in moved.personalise(RECIPIENT).text


def test_personal_values_are_escaped_in_html_and_verbatim_in_text(renderer: Renderer) -> None:
    compiled = _compile(renderer, "confirm_subscription", "en")
    message = compiled.personalise(replace(RECIPIENT, name='Eve <b onmouseover="x">&'))
    assert "Eve &lt;b onmouseover=&quot;x&quot;&gt;&amp;" in message.html
    assert read_html(message.html).event_handlers == []
    assert 'Dear Eve <b onmouseover="x">&,' in message.text


def test_errors_name_what_is_wrong(renderer: Renderer) -> None:
    with pytest.raises(UnknownTemplate, match="newsletter"):
        renderer.compile("newsletter", "nl", samples.release(), samples.sender())
    with pytest.raises(UnsupportedLanguage, match="'es'"):
        renderer.compile("press_release", "es", samples.release(), samples.sender())
    only_nl = samples.release(texts=(samples.text("nl"),))
    with pytest.raises(MissingTranslation, match="no 'fr' text"):
        renderer.compile("press_release", "fr", only_nl, samples.sender())
    with pytest.raises(WrongInput):
        renderer.compile("digest", "nl", samples.release(), samples.sender())
    with pytest.raises(UnsafeURL):
        renderer.compile("confirm_subscription", "nl", replace(samples.confirm(), confirm_url="javascript:alert(1)"), samples.sender())
    with pytest.raises(UnsafeURL):
        renderer.compile("press_release", "nl", samples.release(), samples.sender(logo_url="//cdn.example/logo.png"))


def test_without_logo_no_image_is_loaded(renderer: Renderer) -> None:
    compiled = renderer.compile("press_release", "nl", samples.release(), samples.sender(logo_url=""), now=samples.NOW)
    page = read_html(compiled.personalise(RECIPIENT).html)
    assert page.resources == [] and page.images == []


@pytest.mark.parametrize("language", samples.LANGUAGES)
@pytest.mark.parametrize("template", TEMPLATE_NAMES)
def test_the_footer_prints_the_organisations_phone_when_it_has_one(
    renderer: Renderer, template: str, language: str
) -> None:
    data = samples.input_for(template)
    with_phone = renderer.compile(template, language, data, samples.sender(phone="+32 2 501 81 11"),
                                  now=samples.NOW).personalise(RECIPIENT)
    label = translate("base", language, "phone")
    footer_html = read_html(with_phone.html).text.split(samples.sender().name)[-2]  # before the "why" line
    assert f"{label} +32 2 501 81 11" in footer_html
    footer_text = with_phone.text.split("\n-- \n")[1]
    assert footer_text.startswith(f"{samples.sender().name}\nKarmelietenstraat 15, 1000 Brussel\n"
                                  f"{label} +32 2 501 81 11\nhttps://diplomatie.example.be\n")
    without = renderer.compile(template, language, data, samples.sender(), now=samples.NOW).personalise(RECIPIENT)
    assert without.text.split("\n-- \n")[1].startswith(
        f"{samples.sender().name}\nKarmelietenstraat 15, 1000 Brussel\nhttps://diplomatie.example.be\n")


def test_a_quote_of_two_paragraphs_stays_one_quote_in_the_text_part(renderer: Renderer) -> None:
    """"> " on every line and a quoted blank line between its paragraphs; a quote inside it
    stays inside; a second quote after a plain paragraph is a quote of its own."""
    body = ("De minister zei:\n\n> Eerste alinea,\n> over twee regels.\n>\n> Tweede alinea.\n>\n> > Geciteerd.\n\n"
            "Daarna:\n\n> Een ander citaat.")
    data = samples.with_text(samples.release(), "nl", body=body)
    text = _compile(renderer, "press_release", "nl", data).personalise(RECIPIENT).text
    assert ("De minister zei:\n\n> Eerste alinea,\n> over twee regels.\n>\n> Tweede alinea.\n>\n> > Geciteerd.\n\n"
            "Daarna:\n\n> Een ander citaat.\n") in text
