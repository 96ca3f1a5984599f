"""The catalogue: every entry in all four languages, translated (not fuzzy), with the same
placeholders and its English text as the translators' source; every key the pages and the code
use exists; the old Python tables stay empty."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from core.catalogue import WEB, entries, lookup, mail_context, po_path
from core.settings import KNOWN_LANGUAGES
from delivery import engine
from delivery.models import DeliveryStatus, DistributionStatus
from reports.dashboard import FIGURES as DASHBOARD_FIGURES
from reports.dashboard import Trend
from reports.mailing import FAILURE_CLASSES, PHASES
from subscribers.models import Frequency, SubscriptionStatus, Visibility
from subscribers.subscriptions import SubscribeOutcome
from templates.strings import CHAINS
from web import error_text
from web.i18n import ACTION_KEYS, FIELD_KEYS, STRINGS, action_name
from web.report_charts import FIGURES
from workflow.account_log import CHANGES
from workflow.models import ReleaseKind, Role
from workflow.states import Action, State

ROOT = Path(__file__).resolve().parents[2]


def _catalog(language: str) -> Catalog:
    with po_path(language).open("rb") as handle:
        return read_po(handle, locale=language)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _words(text: str) -> str:
    return " ".join(text.split())


def test_every_language_has_every_entry_translated() -> None:
    keys = {language: set(entries(language)) for language in KNOWN_LANGUAGES}
    assert len(keys["en"]) > 300
    for language in KNOWN_LANGUAGES:
        assert keys[language] == keys["en"], (language, keys[language] ^ keys["en"])
        catalog = _catalog(language)
        fuzzy = [(m.context, m.id) for m in catalog if m.id and m.fuzzy]
        empty = [(m.context, m.id) for m in catalog if m.id and not str(m.string).strip()]
        assert fuzzy == [] and empty == [], f"{language}: translate these and drop '#, fuzzy'"


def test_placeholders_are_the_same_in_every_language() -> None:
    english = entries("en")
    for language in KNOWN_LANGUAGES:
        for entry, text in entries(language).items():
            assert _placeholders(text) == _placeholders(english[entry]), (language, entry)
            text.format(**dict.fromkeys(_placeholders(text), "x"))  # raises on a broken brace
            # A value named like a parameter of the lookup would not reach the text.
            clashes = {"key", "language"} if entry[0] == WEB else {"template", "key", "language"}
            assert not _placeholders(text) & clashes, (language, entry)


def test_the_translators_source_is_the_english_text() -> None:
    english = entries("en")
    for language in KNOWN_LANGUAGES:
        for message in _catalog(language):
            if message.id:
                source = english[(message.context or "", str(message.id))]
                assert _words(" ".join(message.auto_comments)) == _words(source), (language, message.id)


def test_contexts_are_the_web_and_the_mail_tables_of_the_chains() -> None:
    contexts = {context for context, _ in entries("en")}
    tables = {table for chain in CHAINS.values() for table in chain}
    assert WEB in contexts and {mail_context(table) for table in tables} <= contexts
    assert all(context == WEB or context.startswith("mail.") for context in contexts)


def test_the_old_python_tables_stay_empty() -> None:
    import templates.strings

    assert STRINGS == {}
    tables = [name for name, value in vars(templates.strings).items()
              if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values())]
    assert tables == [], "move these to the catalogue"


# Keys pages build from a prefix and a value ("state_" ~ release.state): every value needs its key.
FAMILIES: dict[str, list[str]] = {
    "state_": [s.value for s in State],
    "kind_": [k.value for k in ReleaseKind],
    "language_": list(KNOWN_LANGUAGES),
    "mailing_": [s.value for s in DistributionStatus] + [f"{DistributionStatus.CANCELLED.value}: {engine.WITHDRAWN_NOTE}"],
    "message_": [s.value for s in DeliveryStatus],
    "subscription_": [s.value for s in SubscriptionStatus],
    "visibility_": [v.value for v in Visibility],
    "frequency_": [f.value for f in Frequency],
    "organisation_origin_": ["settings", "migration"],
    "role_": [r.value for r in Role],
    "outcome_": [o.value for o in SubscribeOutcome],
    "notification_": ["review_request", "changes_requested", "approved", "published_receipt", "withdrawn",
                      "mentioned"],
    "user_status_": ["active", "invited", "deactivated"],  # workflow.accounts.status
    "account_": [action.value for action in CHANGES],  # what the users page lists
    "figure_": list(DASHBOARD_FIGURES),  # the dashboard's last 30 days
    "trend_": [trend.value for trend in Trend],
    "report_": [*FIGURES, "first", "p50", "p90", "p99", "last"],  # the mailing report's figures
    "report_timing_": list(PHASES),
    "failure_": list(FAILURE_CLASSES),
}

TEMPLATE_KEY = re.compile(r"""\bt\(\s*(['"])([^'"]+)\1\s*(~)?""")
CODE_KEY = re.compile(r"""\btranslate\(\s*(f?)"([^"{]+)(\{)?""")


def _used_keys() -> tuple[set[str], set[str]]:
    """Literal keys and key prefixes used by the page templates and the web code."""
    literal: set[str] = set()
    prefixes: set[str] = set()
    for path in (ROOT / "web" / "templates").rglob("*.html"):
        for _, key, joined in TEMPLATE_KEY.findall(path.read_text(encoding="utf-8")):
            (prefixes if joined else literal).add(key)
    for path in (ROOT / "web").rglob("*.py"):
        for is_f, key, brace in CODE_KEY.findall(path.read_text(encoding="utf-8")):
            (prefixes if is_f and brace else literal).add(key)
    return literal, prefixes


def test_every_key_the_pages_and_the_code_use_exists() -> None:
    literal, prefixes = _used_keys()
    assert len(literal) > 150 and "error_page" in literal and "state_" in prefixes
    missing = sorted(key for key in literal if lookup(WEB, key, "en") is None)
    assert missing == []
    assert prefixes <= set(FAMILIES), f"name the values of {prefixes - set(FAMILIES)} in FAMILIES"
    missing = sorted(prefix + value for prefix, values in FAMILIES.items() for value in values
                     if lookup(WEB, prefix + value, "en") is None)
    assert missing == []


def test_every_key_the_error_and_name_tables_name_exists() -> None:
    keys = [key for _, key, _ in error_text.TEXTS if isinstance(key, str)]
    keys += list(error_text.STATUS_TEXTS.values()) + list(ACTION_KEYS.values()) + list(FIELD_KEYS.values())
    keys += ["error_invalid_field", "error_invalid"]
    assert sorted(key for key in keys if lookup(WEB, key, "en") is None) == []
    assert all(action_name(action.value, "de") != action.value for action in Action)


@pytest.mark.parametrize("language", KNOWN_LANGUAGES)
def test_a_page_language_reads_its_own_catalogue(language: str) -> None:
    from web.i18n import translate

    texts = {translate("dashboard", lang) for lang in KNOWN_LANGUAGES}
    assert len(texts) == 4  # four different words, so the lookup cannot be answering in one language
    assert translate("dashboard", language) == entries(language)[(WEB, "dashboard")]
    assert translate("no_such_key", language) == "no_such_key"
