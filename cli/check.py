"""`pressroom check`: are the settings valid, which data directory is used, do the database,
broker and mail server answer, does the rate limiter count, can the media store be written, do
links in mail lead to the web app, and does the single sign-on provider describe itself as
configured?

Each check gives one line; a problem says what is wrong and what to do. Network checks use
short timeouts, so a wrong host costs seconds, not minutes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import click
from pydantic import ValidationError
from pydantic_settings import SettingsError

from cli.output import json_option, print_json
from core.settings import Settings

if TYPE_CHECKING:
    import redis

TIMEOUT = 3.0  # seconds, for each network check


@dataclass(frozen=True)
class Result:
    """One check's outcome; a warning is `ok` (the exit status stays 0) but printed on stderr."""

    check: str
    ok: bool
    detail: str
    warning: bool = False

    def line(self) -> str:
        word = "PROBLEM" if not self.ok else "warning" if self.warning else "ok"
        return f"{word:<8} {self.check}: {self.detail}"


def _ok(check: str, detail: str) -> Result:
    return Result(check, True, detail)


def _warning(check: str, detail: str) -> Result:
    return Result(check, True, detail, warning=True)


def _problem(check: str, detail: str) -> Result:
    return Result(check, False, detail)


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def masked_url(url: str) -> str:
    """`url` without its password, for printing."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))


def shown_database(url: str) -> str:
    """The database URL for printing: a SQLite file's absolute path, or the URL without password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        rendered = make_url(url)
    except ArgumentError:
        return masked_url(url)
    if rendered.get_backend_name() == "sqlite" and rendered.database and rendered.database != ":memory:":
        return f"sqlite:///{Path(rendered.database).resolve()}"
    return rendered.render_as_string(hide_password=True)


def _given(variable: str) -> bool:
    return bool(os.environ.get(variable, "").strip())


# --- settings ----------------------------------------------------------------------------------


def check_settings() -> tuple[Settings | None, list[Result]]:
    """The settings, or the problems that stop them loading (one per invalid variable)."""
    try:
        settings = Settings()
    except ValidationError as error:
        problems = []
        for item in error.errors():
            message = str(item["msg"]).removeprefix("Value error, ")
            if item["loc"]:
                variable = "PRESSROOM_" + "_".join(str(p) for p in item["loc"][:1]).upper()
                message = f"{variable}: {message} (got {item.get('input')!r})"
            problems.append(_problem("settings", message))
        return None, problems
    except SettingsError as error:
        return None, [_problem("settings", _first_line(error))]
    return settings, [_ok("settings", f"valid ({settings.environment})")]


# --- data directory ----------------------------------------------------------------------------


def check_data_dir(settings: Settings) -> Result:
    """Which data directory this command uses, and why; it must be writable."""
    from core.datadir import DATABASE_FILE, locate

    where = settings.data_dir
    reason = "PRESSROOM_DATA_DIR" if _given("PRESSROOM_DATA_DIR") else locate().reason
    if not _writable_dir(where):
        return _problem("data directory", f"{where} ({reason}) is not writable")
    beside = where.parent / DATABASE_FILE
    if not _given("PRESSROOM_DATABASE_URL") and settings.database_url == f"sqlite:///{beside}":
        return _warning("data directory", f"{where} ({reason}); the database {beside} is outside it: "
                        f"stop Pressroom and move it (with any {DATABASE_FILE}-wal) into {where}")
    return _ok("data directory", f"{where} ({reason})")


# --- database ----------------------------------------------------------------------------------


def check_database(settings: Settings, timeout: float = TIMEOUT) -> Result:
    """Connect (without creating a SQLite file) and compare the schema with the code's head."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
    from sqlalchemy.pool import NullPool

    from core.migrate import alembic_config

    raw = settings.database_url
    try:
        url = make_url(raw)
    except ArgumentError:
        return _problem(
            "database", f"PRESSROOM_DATABASE_URL {masked_url(raw)!r} is not a database URL "
            "(e.g. sqlite:////srv/pressroom/pressroom.db or postgresql+psycopg://user:password@host/db)",
        )
    shown = url.render_as_string(hide_password=True)
    backend = url.get_backend_name()
    if backend == "sqlite":
        database = url.database or ""
        on_disk = database and database != ":memory:" and not database.startswith("file:")
        if on_disk and not Path(database).is_file():
            return _problem(
                "database", f"{shown}: the file {Path(database).resolve()} does not exist "
                "(run `pressroom db upgrade`)",
            )
        connect_args: dict[str, object] = {"timeout": timeout}
    elif backend == "postgresql":
        connect_args = {"connect_timeout": max(1, int(timeout))}
    else:
        connect_args = {}
    try:
        engine = create_engine(url, connect_args=connect_args, poolclass=NullPool)
    except (NoSuchModuleError, ArgumentError, ImportError) as exc:
        return _problem("database", f"{shown}: no driver for this URL ({_first_line(exc)})")
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as exc:
        return _problem("database", f"{shown}: cannot connect: {_first_line(exc)}")
    finally:
        engine.dispose()
    head = ScriptDirectory.from_config(alembic_config(raw)).get_current_head()
    if current != head:
        return _problem(
            "database", f"{shown}: schema at {current or 'nothing (empty database)'}, this version "
            f"needs {head} (run `pressroom db upgrade`)",
        )
    return _ok("database", f"{shown}: reachable, schema at {head}")


# --- broker ------------------------------------------------------------------------------------


def _writable_dir(path: Path) -> bool:
    """Whether `path` is, or can be created as, a directory we may write in."""
    path = path.resolve()
    while not path.exists():
        path = path.parent
    return path.is_dir() and os.access(path, os.W_OK | os.X_OK)


def _redis(url: str, timeout: float) -> redis.Redis:
    import redis

    if url.startswith("redis+socket://"):
        path = url.removeprefix("redis+socket://").partition("?")[0]
        return redis.Redis(unix_socket_path=path, socket_connect_timeout=timeout, socket_timeout=timeout)
    return redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)


def check_broker(settings: Settings, timeout: float = TIMEOUT) -> Result:
    """Ping the Redis broker; for `embedded`, check the bundled redis-server can be started."""
    import redis

    from core.broker import EMBEDDED, _redis_server_binary, socket_path
    from core.errors import ConfigurationError

    url = settings.broker_url.strip()
    if url.lower() == EMBEDDED:
        try:
            binary = _redis_server_binary()
        except ConfigurationError as exc:
            return _problem("broker", f"embedded: {exc.message}")
        if not _writable_dir(settings.data_dir):
            return _problem(
                "broker", f"embedded: PRESSROOM_DATA_DIR {settings.data_dir.resolve()} is not writable"
            )
        running = socket_path(settings.data_dir).exists()
        return _ok(
            "broker", f"embedded Redis, started on demand ({binary}); "
            + ("running now" if running else "not running now"),
        )
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("redis", "rediss", "redis+socket", "unix"):
        return _problem(
            "broker", f"PRESSROOM_BROKER_URL {masked_url(url)!r}: use redis://host:6379/0 or "
            "'embedded' (the shared rate limit and SMTP connection slots live in Redis)",
        )
    try:
        client = _redis(url, timeout)
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, ValueError, OSError) as exc:
        return _problem("broker", f"{masked_url(url)}: cannot connect: {_first_line(exc)}")
    return _ok("broker", f"{masked_url(url)}: answers")


# --- rate limiter ------------------------------------------------------------------------------


def check_rate_limiter(settings: Settings, timeout: float = TIMEOUT) -> Result:
    """Run the rate limiter's counter once on a probe key: without it sign-in answers 503."""
    from core.broker import EMBEDDED, _alive, socket_path
    from web.ratelimit import probe

    url = settings.broker_url.strip()
    if url.lower() == EMBEDDED:
        path = socket_path(settings.data_dir)
        if not _alive(path):
            return _ok("rate limiter", "not checked now: the embedded Redis is not running (started on demand)")
        url = f"redis+socket://{path}"
    try:
        client = _redis(url, timeout)
    except ValueError as exc:
        return _problem("rate limiter", f"{masked_url(url)}: {_first_line(exc)}; sign-in answers 503")
    try:
        problem = probe(client)
    finally:
        client.close()
    if problem is not None:
        return _problem("rate limiter", f"{masked_url(url)}: the counter does not run ({problem}); "
                        "sign-in answers 503 and sign-ups go unlimited until it does")
    return _ok("rate limiter", f"{masked_url(url)}: counts (Lua script)")


# --- mail --------------------------------------------------------------------------------------


def check_mail(settings: Settings, timeout: float = TIMEOUT) -> Result:
    """Log in to the SMTP server (and leave), or check the Maildir can be written."""
    from core.errors import ConfigurationError
    from delivery.transports import (
        MaildirTransport,
        SMTPTransport,
        default_mail_url,
        transport_from_url,
    )

    try:
        transport = transport_from_url(default_mail_url(settings))
    except ConfigurationError as exc:
        return _problem("mail", f"PRESSROOM_MAIL_URL: {exc.message}")
    where = transport.describe()
    if isinstance(transport, SMTPTransport):
        transport.timeout = min(transport.timeout, timeout)
        transport.connect_timeout = min(transport.connect_timeout, timeout)
        try:
            transport.open()
        except ConfigurationError as exc:
            return _problem("mail", exc.message)
        finally:
            transport.close()
        detail = f"{where}: answers" + (", login accepted" if transport.username else "")
    elif isinstance(transport, MaildirTransport):
        if not _writable_dir(transport.path):
            return _problem("mail", f"{where}: {transport.path.resolve()} is not writable")
        detail = f"{where}: writable (messages are stored, not sent)"
    else:
        if settings.environment == "production":
            return _problem("mail", f"{where}: messages go nowhere; set PRESSROOM_MAIL_URL to an SMTP server")
        detail = f"{where}: messages are not delivered"
    if settings.dkim_private_key_path is not None:
        from delivery.signing import signer_from_settings

        try:
            signer_from_settings(settings.dkim_domain or "example.org", settings)
        except ConfigurationError as exc:
            return _problem("mail", f"PRESSROOM_DKIM_PRIVATE_KEY_PATH: {exc.message}")  # as a worker says it
        detail += "; DKIM key usable"
    return _ok("mail", detail)


def check_templates(settings: Settings, timeout: float = TIMEOUT) -> Result:
    """Every mail template compiles, as a worker checks at its start."""
    from templates import BrokenTemplate, default_renderer

    try:
        count = default_renderer().check_templates()
    except BrokenTemplate as exc:
        return _problem("mail templates", exc.message)
    return _ok("mail templates", f"{count} templates compile")


# --- dead letters ------------------------------------------------------------------------------

SHOWN_DEAD_LETTERS = 5


def check_dead_letters(settings: Settings, timeout: float = TIMEOUT) -> Result:
    """Events whose handlers failed too often wait for an admin (`pressroom failures`)."""
    from sqlalchemy.exc import SQLAlchemyError

    from core.db import session_scope
    from core.outbox import dead_letter_count, dead_letters

    if not check_database(settings, timeout).ok:  # said once, by the database's own line
        return _ok("dead letters", "not checked: the database is not usable (see above)")
    try:
        with session_scope(settings.database_url) as session:
            count = dead_letter_count(session)
            shown = [f"{e.id} {e.name} ({e.failures} failures: {e.last_error})"
                     for e in dead_letters(session, limit=SHOWN_DEAD_LETTERS)]
    except SQLAlchemyError as exc:
        return _problem("dead letters", f"not checked: {_first_line(exc)}")
    if count:
        more = f"; and {count - len(shown)} more" if count > len(shown) else ""
        return _problem("dead letters", f"{count} open (see `pressroom failures list`): {'; '.join(shown)}{more}")
    return _ok("dead letters", "none")


# --- media store -------------------------------------------------------------------------------

MEDIA_PROBE_KEY = "pressroom-check"  # written, read back and deleted; no file's key looks like it


def check_media_store(settings: Settings, timeout: float = TIMEOUT) -> Result:
    """A directory must be writable; a bucket must take, return and delete a small object."""
    from media.errors import MediaMissing, UnusableMediaStore
    from media.storage import FileStore, store_from_url

    url = settings.media_url or f"file://{(Path(settings.data_dir) / 'media').resolve()}"
    try:
        store = store_from_url(url)
    except UnusableMediaStore as exc:
        return _problem("media store", f"PRESSROOM_MEDIA_URL: {exc.message}")
    where = store.describe()
    if isinstance(store, FileStore):
        if not _writable_dir(store.root):
            return _problem("media store", f"{where}: {store.root.resolve()} is not writable")
        return _ok("media store", f"{where}: writable")
    try:
        store.put(MEDIA_PROBE_KEY, b"pressroom check\n", "text/plain")
        if store.get(MEDIA_PROBE_KEY) != b"pressroom check\n":
            return _problem("media store", f"{where}: an object read back differs from the one written")
        store.delete(MEDIA_PROBE_KEY)
    except (UnusableMediaStore, MediaMissing) as exc:
        return _problem("media store", exc.message)
    return _ok("media store", f"{where}: reachable, an object written, read back and deleted")


# --- base URL ----------------------------------------------------------------------------------

_LOOPBACK = ("localhost", "127.0.0.1", "::1")


def check_base_url(settings: Settings) -> Result:
    """The address every link in mail and pages starts with: where it comes from, HTTPS in
    production, and the port the local web app really listens on."""
    from core.datadir import recorded_web_address

    url = settings.base_url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        return _problem("base URL", f"PRESSROOM_BASE_URL {url!r} is not an address such as "
                        "https://press.example.be: every link in mail would be broken")
    recorded = recorded_web_address(settings.data_dir)
    if _given("PRESSROOM_BASE_URL"):
        source = "PRESSROOM_BASE_URL"
    elif recorded == url:
        source = f"the address the web app of {settings.data_dir} listens on"
    else:
        source = "the default: no web app has run on this data directory"
    if settings.environment == "production" and parts.scheme != "https":
        return _warning("base URL", f"{url} ({source}) is not HTTPS in production: links in mail "
                        "travel unencrypted and sign-in cookies are not Secure; set PRESSROOM_BASE_URL "
                        "to the public https:// address")
    if recorded and recorded != url and parts.hostname in _LOOPBACK:
        listening = urlsplit(recorded)
        if listening.hostname not in _LOOPBACK or listening.port != parts.port:
            return _warning("base URL", f"{url} ({source}) does not match {recorded}, where the web "
                            f"app of {settings.data_dir} listens: links in mail lead nowhere; unset "
                            "PRESSROOM_BASE_URL or correct it")
    return _ok("base URL", f"{url} ({source})")


# --- single sign-on ----------------------------------------------------------------------------


def check_single_sign_on(settings: Settings, timeout: float = TIMEOUT) -> Result:
    """Read the provider's discovery document: it must name the configured issuer and the
    endpoints the code flow needs, and allow PKCE with S256 if it lists methods."""
    import httpx

    if not settings.oidc_enabled:
        return _ok("single sign-on", "not configured (passwords only)")
    issuer = settings.oidc_issuer.rstrip("/")
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        response = httpx.get(url, timeout=timeout)
        response.raise_for_status()
        document = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        return _problem("single sign-on", f"{url}: cannot read the discovery document: {_first_line(exc)}")
    if not isinstance(document, dict):
        return _problem("single sign-on", f"{url}: the discovery document is not a JSON object")
    if str(document.get("issuer", "")).rstrip("/") != issuer:
        return _problem("single sign-on", f"{url} names the issuer {document.get('issuer')!r}, not "
                        f"PRESSROOM_OIDC_ISSUER {settings.oidc_issuer!r}: ID tokens would be refused")
    missing = [key for key in ("authorization_endpoint", "token_endpoint", "jwks_uri") if not document.get(key)]
    if missing:
        return _problem("single sign-on", f"{url} lacks {', '.join(missing)}")
    methods = document.get("code_challenge_methods_supported")
    if isinstance(methods, list) and "S256" not in methods:
        return _problem("single sign-on", f"{issuer} does not offer PKCE with S256 (offers {methods})")
    return _ok("single sign-on", f"{issuer}: discovery document names the issuer and its endpoints")


CHECKS: list[tuple[str, Callable[[Settings], Result]]] = [
    ("data directory", check_data_dir),
    ("database", check_database),
    ("broker", check_broker),
    ("rate limiter", check_rate_limiter),
    ("mail", check_mail),
    ("mail templates", check_templates),
    ("media store", check_media_store),
    ("base URL", check_base_url),
    ("single sign-on", check_single_sign_on),
    ("dead letters", check_dead_letters),
]


def run_checks() -> list[Result]:
    """Every check, in order; the services are not checked when the settings do not load."""
    settings, results = check_settings()
    if settings is None:
        return results + [_problem(name, "not checked: fix the settings first") for name, _ in CHECKS]
    return results + [check(settings) for _, check in CHECKS]


@click.command()
@json_option
def check(as_json: bool) -> None:
    """Check the settings, reach the database, broker, mail server and media store, run the rate
    limiter; one line each."""
    results = run_checks()
    if as_json:
        print_json([asdict(result) for result in results])
    else:
        for result in results:
            click.echo(result.line(), err=not result.ok or result.warning)
    if not all(result.ok for result in results):
        raise click.exceptions.Exit(6)
