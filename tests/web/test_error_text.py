"""How errors read on pages: each domain error in the reader's language, filled from its
attributes, never its English message."""

from __future__ import annotations

import pytest

from core.addresses import InvalidAddress
from core.errors import InvalidInput, NotFound, PressroomError, TooLong
from delivery.engine import DistributionStateError
from subscribers.errors import DuplicateList, ExpiredToken, InvalidToken
from web.error_text import TEXTS, describe, describe_status
from web.errors import CsrfRejected, LimiterUnavailable, PageNotFound, RateLimited
from web.i18n import UI_LANGUAGES, field_name
from workflow.errors import (
    IllegalTransition,
    InvalidIdentity,
    MissingLanguages,
    RoleRequired,
    StaleVersion,
)
from workflow.states import Action, State

SAMPLES: list[PressroomError] = [
    CsrfRejected(), PageNotFound("release"), NotFound("release", 7),
    IllegalTransition(7, State.DRAFT, Action.APPROVE, [Action.EDIT, Action.SUBMIT]),
    StaleVersion(7, 2, 3), RoleRequired("an@example.be", "change the organisation", ["admin"]),
    DuplicateList("journalists"), DistributionStateError(3, "done", "pause", []),
    InvalidAddress("broken", "An email address must have an @-sign."), InvalidToken("unsubscribe"),
    ExpiredToken("confirm", None), MissingLanguages(7, Action.SUBMIT, {"fr": ["title"]}),
    InvalidIdentity("fr", "website", "the website must be an http(s) URL"),
    InvalidInput("comment", "say what should change: a comment is required"),
    InvalidInput("translations.fr.title", "too long"), RateLimited("too many sign-ins", 900), LimiterUnavailable(),
    TooLong("comment", 4000, 4001, "comment"),
]


@pytest.mark.parametrize("language", UI_LANGUAGES)
def test_no_page_sentence_is_the_english_message(language: str) -> None:
    for error in SAMPLES:
        said = describe(error, language)
        assert said and error.message not in said and "{" not in said, (type(error).__name__, said)


def test_the_sentence_is_filled_from_the_error_in_the_readers_words() -> None:
    transition = SAMPLES[3]
    assert describe(transition, "de") == ("Diese Pressemitteilung hat den Status ‚Entwurf‘: ‚Freigeben‘ ist jetzt "
                                          "nicht möglich. Möglich: Bearbeiten, Zur Prüfung einreichen.")
    assert describe(transition, "fr").startswith("Ce communiqué a le statut « brouillon » : « Approuver »")
    assert describe(RateLimited("too many", 900), "de") == "Zu viele Versuche. Versuchen Sie es in 15 Minuten noch einmal."
    assert describe(RateLimited("too many", 30), "nl") == "Te veel pogingen. Probeer het opnieuw over 30 seconden."
    assert describe(TooLong("body", 4000, 4213, "comment"), "nl") == \
        "Deze tekst mag hoogstens 4000 tekens tellen; de uwe telt er 4213."
    assert describe(StaleVersion(7, 2, 3), "en").startswith("Someone else changed this in the meantime (your version 2, now 3)")
    assert describe(MissingLanguages(7, Action.SUBMIT, {"fr": ["title"], "de": ["body"]}), "nl") == \
        "Elk persbericht heeft een titel en een tekst nodig in: Frans, Duits."


def test_a_refused_field_says_what_it_needs_or_names_its_label() -> None:
    assert describe(InvalidInput("comment", "x"), "fr") == "Indiquez ce qui doit changer : un commentaire est obligatoire."
    assert describe(InvalidInput("lists.2.slug", "x"), "de") == "Verwenden Sie nur Kleinbuchstaben, Ziffern und Bindestriche."
    assert describe(InvalidInput("translations.fr.title", "x"), "nl") == \
        "Controleer het veld ‘Titel (FR)’: de waarde werd niet aanvaard."
    assert describe(InvalidInput("translations.fr.title", "x"), "nl", labelled=True) == \
        "Deze waarde werd niet aanvaard; controleer ze."
    assert field_name("fr.website", "de") == "Website (FR)" and field_name("token", "de") == "token"


def test_a_status_without_a_domain_error_reads_in_the_language_too() -> None:
    assert describe_status(404, "de") == "Unter dieser Adresse gibt es keine Seite."
    assert describe_status(405, "fr") == "Cette adresse n'accepte pas ce type de demande."
    assert describe_status(418, "nl") == "Dit verzoek werd geweigerd."


def test_a_subclass_is_listed_before_the_classes_it_derives_from() -> None:
    kinds = [kind for kind, _, _ in TEXTS]
    for index, kind in enumerate(kinds):
        assert not any(issubclass(kind, earlier) and kind is not earlier for earlier in kinds[:index]), kind.__name__
