"""Settings: defaults that run anywhere, and refusals that name the variable."""

from __future__ import annotations

import os
import re

import pytest
from pydantic import ValidationError

from core.settings import Settings


def test_defaults_run_without_services(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in [k for k in os.environ if k.startswith("PRESSROOM_")]:
        monkeypatch.delenv(key)
    settings = Settings()
    assert settings.database_url.startswith("sqlite:///")
    assert settings.broker_url == "embedded"
    assert settings.default_language == "nl"
    assert settings.languages == ["nl", "fr", "en", "de"]


def test_languages_from_a_comma_separated_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSROOM_LANGUAGES", "fr, nl")
    monkeypatch.setenv("PRESSROOM_DEFAULT_LANGUAGE", "fr")
    assert Settings().languages == ["fr", "nl"]


def test_default_language_must_be_offered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSROOM_LANGUAGES", "fr")
    with pytest.raises(ValidationError, match="PRESSROOM_DEFAULT_LANGUAGE 'nl' is not in"):
        Settings()


def test_production_refuses_the_development_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSROOM_ENVIRONMENT", "production")
    monkeypatch.delenv("PRESSROOM_SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="PRESSROOM_SECRET_KEY must be set"):
        Settings()
    monkeypatch.setenv("PRESSROOM_SECRET_KEY", "a-real-secret-of-some-length")
    assert Settings().environment == "production"


def test_required_languages_from_a_comma_separated_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PRESSROOM_REQUIRED_LANGUAGES", raising=False)
    assert Settings().required_languages == []
    monkeypatch.setenv("PRESSROOM_REQUIRED_LANGUAGES", "nl, fr")
    assert Settings().required_languages == ["nl", "fr"]
    monkeypatch.setenv("PRESSROOM_REQUIRED_LANGUAGES", "")
    assert Settings().required_languages == []


@pytest.mark.parametrize(("languages", "required", "refused"), [
    ("nl,fr,en,de", "nl,es", "['es']"),  # not a language Pressroom knows
    ("nl,fr", "nl,de", "['de']"),  # known, but not offered here
])
def test_required_languages_must_be_offered(
    monkeypatch: pytest.MonkeyPatch, languages: str, required: str, refused: str
) -> None:
    monkeypatch.setenv("PRESSROOM_LANGUAGES", languages)
    monkeypatch.setenv("PRESSROOM_REQUIRED_LANGUAGES", required)
    with pytest.raises(ValidationError, match=re.escape(f"PRESSROOM_REQUIRED_LANGUAGES has {refused}")):
        Settings()


def test_the_organisation_name_of_every_from_header_must_not_lie(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSROOM_ORGANISATION_NAME", "FOD\u200b Buitenlandse Zaken")
    with pytest.raises(ValidationError, match="PRESSROOM_ORGANISATION_NAME: character U[+]200B ZERO WIDTH SPACE"):
        Settings()
    monkeypatch.setenv("PRESSROOM_ORGANISATION_NAME", "SPF Affaires étrangères — وزارة الخارجية")
    assert Settings().organisation_name.startswith("SPF Affaires étrangères")


def test_roles_that_must_use_two_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSROOM_REQUIRE_2FA", " Approver, admin ")
    assert Settings().require_2fa == ["approver", "admin"]
    monkeypatch.setenv("PRESSROOM_REQUIRE_2FA", "approver,editor")
    with pytest.raises(ValidationError, match=r"PRESSROOM_REQUIRE_2FA has unknown roles \['editor'\]"):
        Settings()
    monkeypatch.delenv("PRESSROOM_REQUIRE_2FA")
    assert Settings().require_2fa == []


def test_single_sign_on_is_configured_whole_or_not_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not Settings().oidc_enabled
    monkeypatch.setenv("PRESSROOM_OIDC_ISSUER", "http://idp.example")
    monkeypatch.setenv("PRESSROOM_OIDC_CLIENT_ID", "pressroom")
    with pytest.raises(ValidationError, match="single sign-on needs PRESSROOM_OIDC_CLIENT_SECRET as well"):
        Settings()
    monkeypatch.setenv("PRESSROOM_OIDC_CLIENT_SECRET", "s3cret")
    assert Settings().oidc_enabled
    monkeypatch.setenv("PRESSROOM_ENVIRONMENT", "production")
    monkeypatch.setenv("PRESSROOM_SECRET_KEY", "a real secret")
    with pytest.raises(ValidationError, match="must be an https:// URL in production"):
        Settings()


def test_report_retention_is_a_positive_number_of_days(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().report_retention_days == 90
    monkeypatch.setenv("PRESSROOM_REPORT_RETENTION_DAYS", "30")
    assert Settings().report_retention_days == 30
    for refused in ("0", "-5"):
        monkeypatch.setenv("PRESSROOM_REPORT_RETENTION_DAYS", refused)
        with pytest.raises(ValidationError, match=f"PRESSROOM_REPORT_RETENTION_DAYS must be a number of days above 0, not {refused}"):
            Settings()
