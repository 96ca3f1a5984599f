"""The one settings object of Pressroom, read from `PRESSROOM_*` environment variables."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.datadir import (
    DEFAULT_BASE_URL,
    default_data_dir,
    default_database_url,
    recorded_web_address,
)
from core.text import refuse_hidden_characters

DEV_SECRET_KEY = "dev-insecure-change-me"
KNOWN_LANGUAGES = ("nl", "fr", "en", "de")


class Settings(BaseSettings):
    """Configuration of a Pressroom installation.

    Defaults run everything on one machine with no services installed, all of it in the
    project's data directory (core/datadir.py): SQLite, an embedded Redis started on demand, mail
    written to a Maildir, media files.
    """

    model_config = SettingsConfigDict(env_prefix="PRESSROOM_", extra="ignore")

    environment: str = Field("development", description="development, test or production")
    data_dir: Path = Field(
        default_factory=default_data_dir, description="everything local: SQLite, the embedded "
        "broker, the Maildir, media; unset: the project's .pressroom (core/datadir.py), made absolute"
    )
    database_url: str = Field("", description="SQLAlchemy URL; empty: SQLite in data_dir/pressroom.db")
    broker_url: str = Field(
        "embedded", description="redis:// URL, or 'embedded' to start the bundled redis-server"
    )
    secret_key: str = DEV_SECRET_KEY
    metrics_token: str = Field(
        "", description="bearer token a scraper shows for /metrics; empty: only requests from this machine"
    )
    base_url: str = Field(
        "", description="public address used in links; empty: the address the web app of this "
        f"data directory was started on (`serve`, `web`), else {DEFAULT_BASE_URL}"
    )
    newsroom_version_seconds: float = Field(
        1.0, ge=0, le=60,
        description="how long a web process reuses the newsroom's version (ETag) before asking the "
        "database again; a change this process commits is seen at once, others within this time",
    )
    default_language: str = "nl"
    languages: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(KNOWN_LANGUAGES), description="comma-separated, e.g. nl,fr,en,de"
    )
    required_languages: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="comma-separated languages every release must have a title and a body in "
        "before it is submitted or approved, e.g. nl,fr; each one of `languages`; empty: none",
    )
    required_approvals: int = Field(1, ge=1, le=5)
    # The editor's soft lock (workflow/edit_locks.py): the page beats every `heartbeat` seconds;
    # a lock whose last beat is `lapse` beats old may be taken over by a colleague.
    edit_lock_heartbeat: float = Field(
        20.0, gt=0, le=3600, description="seconds between the editor's heartbeats that keep its lock"
    )
    edit_lock_lapse_beats: int = Field(
        3, ge=2, le=100, description="missed heartbeats after which a colleague may take the editor over"
    )
    # The organisation's first identity version, in the default language; after that the
    # identity lives in the database (`pressroom organisation set`, /press/organisation).
    organisation_name: str = "FOD Buitenlandse Zaken — SPF Affaires étrangères"
    organisation_address: str = "Karmelietenstraat 15, 1000 Brussel"
    organisation_website: str = "https://diplomatie.example.be"
    organisation_phone: str = ""
    outbox_relay_interval: float = Field(5.0, gt=0, description="seconds between relay sweeps")
    outbox_redispatch_after: float = Field(
        300.0, gt=0, description="seconds before an unhandled dispatched event is sent again"
    )
    event_max_attempts: int = Field(
        5, ge=1, description="times an event's handlers may fail before the event is a dead letter "
        "(`pressroom failures`)"
    )
    event_retry_base: float = Field(60.0, gt=0, description="seconds before a failed event is tried again")
    event_retry_max: float = Field(3600.0, gt=0, description="longest wait between two tries of an event")
    scheduler_interval: float = Field(15.0, gt=0, description="seconds between due-release sweeps")
    confirm_token_max_age: int = Field(
        7 * 24 * 3600, gt=0, description="seconds a subscription confirmation link stays valid"
    )
    invitation_max_age: int = Field(
        7 * 24 * 3600, gt=0, description="seconds an invitation link to the press office stays valid"
    )
    password_reset_max_age: int = Field(
        3600, gt=0, description="seconds a password reset link stays valid"
    )
    preferences_token_max_age: int = Field(
        180 * 24 * 3600, gt=0, description="seconds a preferences link in a mail stays valid"
    )
    resubscribe_cooldown: float = Field(
        3600.0, ge=0, description="seconds before a repeated sign-up queues another confirmation mail"
    )
    consent_text_version: str = Field(
        "1", max_length=40, description="version of the consent text shown where people subscribe"
    )
    # Mail rendering and delivery; empty values fall back as described (see delivery/).
    mail_url: str = Field(
        "", description="smtp://, smtps://, maildir:///path, console:// or memory://; "
        "empty: a Maildir under data_dir"
    )
    mail_from: str = Field("", description="sender address; empty: the organisation's, else noreply@")
    logo_url: str = Field("", description="https URL of the logo in the first identity version")
    list_id_domain: str = Field("", description="domain of List-Id/Message-ID; empty: the website's")
    mail_timezone: str = Field("Europe/Brussels", description="time zone of datelines in mail")
    dkim_selector: str = ""
    dkim_domain: str = Field("", description="d= of DKIM signatures; empty: the From domain")
    dkim_private_key_path: Path | None = Field(None, description="PEM key; set to sign mail")

    # Distribution engine (see delivery/).
    delivery_batch_size: int = Field(
        2000, ge=1, le=10_000, description="deliveries per Celery task at most (a small mailing's are smaller)"
    )
    delivery_lease_seconds: float = Field(
        45.0, gt=0, description="a batch renews its lease every third of this while it works; a dead "
        "worker's rows return to the queue at the first sweep after it runs out"
    )
    delivery_max_attempts: int = Field(6, ge=1, description="tries before a transient failure is final")
    delivery_retry_base: float = Field(60.0, gt=0, description="seconds before the first retry")
    delivery_retry_max: float = Field(3600.0, gt=0, description="longest wait between retries")
    delivery_record_every: int = Field(
        50, ge=1, description="messages sent between two saves of outcomes (bounds duplicates on a crash)"
    )
    rate_limit_per_second: float = Field(
        0.0, ge=0, description="messages per second over all workers; 0 means no limit"
    )
    max_smtp_connections: int = Field(8, ge=1, description="concurrent SMTP connections over all workers")
    # Far below RFC 5321's 5 and 10 minutes (written for relays across the Internet): we talk to
    # our own relay, and a batch must not wait out its lease on one reply (docs/operations.md).
    smtp_connect_timeout: float = Field(
        10.0, gt=0, description="seconds to connect to the mail server and read its greeting"
    )
    smtp_command_timeout: float = Field(
        20.0, gt=0, description="seconds to wait for the mail server's reply to one command "
        "(a smtp:// URL's ?timeout= overrides it)"
    )
    bounce_domain: str = Field("", description="domain of VERP return paths; empty: the From domain")
    bounce_maildir: Path | None = Field(None, description="Maildir the bounce poller reads")
    soft_bounce_threshold: int = Field(3, ge=1, description="soft bounces before an address is suppressed")
    sweep_interval: float = Field(15.0, gt=0, description="seconds between sweeps for stale leases")
    # Reports (README "Reports").
    report_retention_days: int = Field(
        90, description="days raw report events (page views) are kept before the daily "
        "reports.fold task folds them into daily counts and deletes them"
    )

    # Media attached to releases (see media/).
    media_url: str = Field(
        "", description="file:///path or s3://bucket/prefix?endpoint=https://…&region=…; "
        "empty: a content-addressed store under data_dir/media"
    )
    media_max_bytes: int = Field(
        30 * 1024 * 1024, ge=1024, description="largest file a release may carry, in bytes"
    )
    media_max_pixels: int = Field(
        60_000_000, ge=1_000_000, description="largest image, in pixels (width × height); "
        "bigger ones are refused as possible decompression bombs"
    )

    # Link clicks and opens (see reports/clicks.py and the README's "Reports").
    tracking: Literal["aggregate", "per_recipient"] = Field(
        "aggregate", description="aggregate: clicks are counted per link and language, nothing ties "
        "one to a person; per_recipient: the links also carry the delivery, and each click is recorded "
        "with it (a privacy choice the privacy notice then states)"
    )
    track_opens: bool = Field(
        False, description="true: an open pixel per mailing and language counts opens in aggregate "
        "(unreliable: mail clients and privacy proxies load or block pictures on their own)"
    )

    # Logging (see core/logging.py).
    log_level: str = Field(
        "", pattern=r"(?i)^(|debug|info|warning|error|critical)$",
        description="level of every process (overrides worker --loglevel); empty: INFO for web, "
        "serve, worker and beat, WARNING for other commands",
    )
    log_json: bool | None = Field(
        None, description="true: JSON lines on stderr, false: text; unset: JSON unless a terminal"
    )

    @field_validator("data_dir")
    @classmethod
    def _absolute_data_dir(cls, value: Path) -> Path:
        """Resolved once, so a process that changes directory, or a child started elsewhere,
        still means the same place."""
        return value.expanduser().resolve()

    @model_validator(mode="after")
    def _local_defaults(self) -> Settings:
        if not self.database_url.strip():
            self.database_url = default_database_url(self.data_dir)
        if not self.base_url.strip():
            self.base_url = recorded_web_address(self.data_dir) or DEFAULT_BASE_URL
        return self

    @field_validator("languages", "required_languages", mode="before")
    @classmethod
    def _split_languages(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _check(self) -> Settings:
        unknown = [lang for lang in self.languages if lang not in KNOWN_LANGUAGES]
        if unknown:
            raise ValueError(
                f"PRESSROOM_LANGUAGES has unsupported languages {unknown}; "
                f"supported: {', '.join(KNOWN_LANGUAGES)}"
            )
        if self.default_language not in self.languages:
            raise ValueError(
                f"PRESSROOM_DEFAULT_LANGUAGE {self.default_language!r} is not in "
                f"PRESSROOM_LANGUAGES {self.languages}"
            )
        not_offered = [lang for lang in self.required_languages if lang not in self.languages]
        if not_offered:
            raise ValueError(
                f"PRESSROOM_REQUIRED_LANGUAGES has {not_offered}, which PRESSROOM_LANGUAGES "
                f"{self.languages} does not offer: a release could never be submitted"
            )
        # The organisation's name is the display name of every message's From header.
        refuse_hidden_characters(self.organisation_name, "PRESSROOM_ORGANISATION_NAME")
        if self.environment == "production" and self.secret_key == DEV_SECRET_KEY:
            raise ValueError("PRESSROOM_SECRET_KEY must be set to a secret value in production")
        return self

    # Web app (see web/README.md).
    session_max_age: int = Field(
        12 * 3600, gt=0, description="seconds a press-office sign-in lasts"
    )
    subscribe_limit_per_ip: int = Field(
        20, ge=1, description="sign-ups one IP address may make per subscribe_limit_window"
    )
    subscribe_limit_per_address: int = Field(
        3, ge=1, description="sign-ups for one e-mail address per subscribe_limit_window"
    )
    subscribe_limit_window: int = Field(3600, gt=0, description="seconds of a sign-up rate window")
    sign_in_limit: int = Field(
        10, ge=1, description="sign-in attempts per address (per IP: ten times more) per window; "
        "a successful sign-in clears the address's count"
    )
    sign_in_limit_window: int = Field(900, gt=0, description="seconds of a sign-in rate window")
    forwarded_allow_ips: str = Field(
        "127.0.0.1", description="proxies whose X-Forwarded-For is trusted (uvicorn's setting)"
    )

    # Two-factor sign-in and single sign-on (see web/README.md and SECURITY.md).
    require_2fa: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="comma-separated roles that must enrol a second factor "
        "before they use anything else, e.g. approver,admin; empty: nobody is forced"
    )
    oidc_issuer: str = Field("", description="OpenID Connect issuer URL; empty: no single sign-on")
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_provider_name: str = Field(
        "single sign-on", max_length=60, description="shown on the sign-in button: Sign in with …"
    )
    oidc_role_claim: str = Field(
        "", description="ID token claim that sets the user's role when it names one; empty: roles "
        "stay as the admins set them"
    )

    @field_validator("report_retention_days")
    @classmethod
    def _positive_retention(cls, value: int) -> int:
        """Zero days would fold (and so drop the detail of) today's reads as they come in."""
        if value <= 0:
            raise ValueError(f"PRESSROOM_REPORT_RETENTION_DAYS must be a number of days above 0, not {value}")
        return value

    @field_validator("require_2fa", mode="before")
    @classmethod
    def _split_roles(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip().lower() for part in value.split(",") if part.strip()]
        return value

    @field_validator("require_2fa")
    @classmethod
    def _known_roles(cls, value: list[str]) -> list[str]:
        known = ("spokesperson", "approver", "admin")
        unknown = [role for role in value if role not in known]
        if unknown:
            raise ValueError(f"PRESSROOM_REQUIRE_2FA has unknown roles {unknown}; roles: {', '.join(known)}")
        return value

    @model_validator(mode="after")
    def _check_oidc(self) -> Settings:
        given = {"PRESSROOM_OIDC_ISSUER": self.oidc_issuer, "PRESSROOM_OIDC_CLIENT_ID": self.oidc_client_id,
                 "PRESSROOM_OIDC_CLIENT_SECRET": self.oidc_client_secret}
        missing = [name for name, value in given.items() if not value]
        if 0 < len(missing) < len(given):  # half a configuration would quietly offer no sign-on
            raise ValueError(f"single sign-on needs {', '.join(missing)} as well")
        if self.environment == "production" and self.oidc_issuer and not self.oidc_issuer.startswith("https://"):
            raise ValueError("PRESSROOM_OIDC_ISSUER must be an https:// URL in production")
        return self

    # Outgoing webhooks (see webhooks/ and docs/webhooks.md).
    webhook_timeout: float = Field(
        10.0, gt=0, le=60, description="seconds a receiver has to connect and answer one delivery"
    )
    webhook_max_response_bytes: int = Field(
        65536, ge=1024, description="bytes of a receiver's answer read at most; the rest is not read"
    )
    webhook_max_attempts: int = Field(8, ge=1, le=50, description="tries of one delivery before it fails")
    webhook_retry_base: float = Field(30.0, gt=0, description="seconds before the first retry (doubling)")
    webhook_retry_max: float = Field(
        3600.0, gt=0, description="longest wait between two tries, a receiver's Retry-After included"
    )
    webhook_disable_after: int = Field(
        15, ge=1, description="failed tries in a row after which an endpoint is disabled and its admins mailed"
    )
    webhook_secret_overlap: float = Field(
        86400.0, ge=0, description="seconds a rotated-out signing secret still signs (the receiver's time to switch)"
    )
    webhook_allowed_networks: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="comma-separated networks (CIDR) a webhook may reach in "
        "production although they are private or loopback, e.g. 10.20.0.0/16; empty: none"
    )

    @field_validator("webhook_allowed_networks", mode="before")
    @classmethod
    def _split_networks(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("webhook_allowed_networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        import ipaddress

        for network in value:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ValueError(f"PRESSROOM_WEBHOOK_ALLOWED_NETWORKS: {network!r} is not a network "
                                 "(e.g. 10.20.0.0/16 or fd00::/8)") from None
        return value

    @property
    def oidc_enabled(self) -> bool:
        """Single sign-on is offered only when the issuer and the client are all configured."""
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()


def override_settings(**values: Any) -> Settings:
    """Replace the process-wide settings (tests, the demo) and return the new object.

    Values are also exported as `PRESSROOM_*` variables so that subprocesses (workers) see them.
    """
    for key, value in values.items():
        env_value = ",".join(value) if isinstance(value, list) else str(value)
        os.environ[f"PRESSROOM_{key.upper()}"] = env_value
    get_settings.cache_clear()
    return get_settings()
