"""`pressroom check`: one line per check, a clear line per problem, exit 6 if any."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from core import migrate
from core.datadir import record_web_address
from core.settings import get_settings
from tests.delivery.smtp_sink import Sink, free_port, smtp_server


def _check(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(cli, ["check", *args], env=env, catch_exceptions=False)


@pytest.fixture
def good(sqlite_db: str, broker: str, tmp_path: Path) -> dict[str, str]:
    """A configuration where everything answers: SQLite at head, the test Redis, a Maildir."""
    return {
        "PRESSROOM_DATABASE_URL": sqlite_db,
        "PRESSROOM_BROKER_URL": broker,
        "PRESSROOM_MAIL_URL": f"maildir://{tmp_path / 'mail'}",
    }


def _problems(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("PROBLEM")]


def test_a_good_configuration_passes(good: dict[str, str]) -> None:
    result = _check(good)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split(":")[0].split(None, 1)[1] for line in lines] == \
        ["settings", "data directory", "database", "broker", "rate limiter", "mail", "mail templates", "media store",
         "base URL", "single sign-on", "dead letters"]
    assert all(line.startswith("ok ") for line in lines)
    assert "schema at 0" in lines[2] and "answers" in lines[3] and "counts" in lines[4] and "writable" in lines[5]
    assert lines[1] == f"ok       data directory: {get_settings().data_dir} (PRESSROOM_DATA_DIR)"
    assert result.stderr == ""


def test_an_unreachable_broker_is_one_clear_line(good: dict[str, str]) -> None:
    result = _check({**good, "PRESSROOM_BROKER_URL": "redis://:hunter2@127.0.0.1:1/0"})
    assert result.exit_code == 6
    line, limiter = _problems(result)
    assert line.startswith("PROBLEM  broker: redis://:***@127.0.0.1:1/0: cannot connect:")
    assert limiter.startswith("PROBLEM  rate limiter: redis://:***@127.0.0.1:1/0: the counter does not run")
    assert "refused" in line.lower() and "hunter2" not in result.output
    assert "ok       database" in result.stdout  # the other checks still ran


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a database url", "PROBLEM  database: PRESSROOM_DATABASE_URL 'not a database url' is not a database URL"),
        ("nosuchdb://somewhere/x", "PROBLEM  database: nosuchdb://somewhere/x: no driver for this URL"),
        ("postgresql+psycopg://pressroom:s3cret@127.0.0.1:1/pressroom",
         "PROBLEM  database: postgresql+psycopg://pressroom:***@127.0.0.1:1/pressroom: cannot connect:"),
    ],
)
def test_a_bad_database_url_is_one_clear_line(good: dict[str, str], url: str, expected: str) -> None:
    result = _check({**good, "PRESSROOM_DATABASE_URL": url})
    assert result.exit_code == 6
    [line] = _problems(result)
    assert line.startswith(expected), line
    assert "s3cret" not in result.output


def test_a_missing_or_old_database_says_to_upgrade(good: dict[str, str], tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    result = _check({**good, "PRESSROOM_DATABASE_URL": f"sqlite:///{missing}"})
    [line] = _problems(result)
    assert "does not exist (run `pressroom db upgrade`)" in line
    assert not missing.exists()  # checking does not create an empty database

    old = f"sqlite:///{tmp_path / 'old.db'}"
    migrate.upgrade(old, "0001")
    result = _check({**good, "PRESSROOM_DATABASE_URL": old})
    [line] = _problems(result)
    assert "schema at 0001, this version needs" in line and "run `pressroom db upgrade`" in line


def test_mail_server_is_reached(good: dict[str, str]) -> None:
    with smtp_server(Sink()) as controller:
        result = _check({**good, "PRESSROOM_MAIL_URL": f"smtp://127.0.0.1:{controller.port}"})
    assert result.exit_code == 0, result.output
    assert f"ok       mail: smtp://127.0.0.1:{controller.port}: answers" in result.stdout
    closed = free_port()
    result = _check({**good, "PRESSROOM_MAIL_URL": f"smtp://127.0.0.1:{closed}?timeout=1"})
    [line] = _problems(result)
    assert line.startswith(f"PROBLEM  mail: mail server 127.0.0.1:{closed}: cannot connect")


def test_invalid_settings_are_named_and_stop_the_service_checks(good: dict[str, str]) -> None:
    result = _check({**good, "PRESSROOM_REQUIRED_APPROVALS": "many", "PRESSROOM_LANGUAGES": "nl,xx"})
    assert result.exit_code == 6
    problems = _problems(result)
    assert any("PRESSROOM_REQUIRED_APPROVALS" in line and "'many'" in line for line in problems)
    assert sum("not checked: fix the settings first" in line for line in problems) == 10  # every check after the settings


def test_embedded_broker_is_started_on_demand(good: dict[str, str], tmp_path: Path) -> None:
    result = _check({**good, "PRESSROOM_BROKER_URL": "embedded", "PRESSROOM_DATA_DIR": str(tmp_path / "d")},
                    "--json")
    assert result.exit_code == 0, result.output
    broker = {item["check"]: item for item in json.loads(result.stdout)}["broker"]
    assert broker["ok"] and "started on demand" in broker["detail"] and "redis-server" in broker["detail"]
    limiter = {item["check"]: item for item in json.loads(result.stdout)}["rate limiter"]
    assert limiter["ok"] and "not running" in limiter["detail"]
    assert not (tmp_path / "d").exists()  # nothing was started or created


def test_the_base_url_is_named_with_its_source_and_warned_about(good: dict[str, str]) -> None:
    data_dir = get_settings().data_dir
    result = _check(good)
    assert "ok       base URL: http://127.0.0.1:8000 (the default: no web app has run" in result.stdout

    record_web_address(data_dir, "http://127.0.0.1:8101")  # as `pressroom serve --port 8101` does
    result = _check(good)
    assert f"ok       base URL: http://127.0.0.1:8101 (the address the web app of {data_dir} listens on)" \
        in result.stdout

    result = _check({**good, "PRESSROOM_BASE_URL": "http://127.0.0.1:8000"})
    assert result.exit_code == 0, result.output  # a warning, not a problem
    assert f"warning  base URL: http://127.0.0.1:8000 (PRESSROOM_BASE_URL) does not match http://127.0.0.1:8101, " \
        f"where the web app of {data_dir} listens: links in mail lead nowhere" in result.stderr

    production = {**good, "PRESSROOM_ENVIRONMENT": "production", "PRESSROOM_SECRET_KEY": "s" * 40}
    result = _check({**production, "PRESSROOM_BASE_URL": "http://press.example.be"}, "--json")
    assert result.exit_code == 0, result.output
    base = {item["check"]: item for item in json.loads(result.stdout)}["base URL"]
    assert base["ok"] and base["warning"] and "is not HTTPS in production" in base["detail"]
    result = _check({**production, "PRESSROOM_BASE_URL": "https://press.example.be"})
    assert "ok       base URL: https://press.example.be (PRESSROOM_BASE_URL)" in result.stdout

    result = _check({**good, "PRESSROOM_BASE_URL": "press.example.be"})
    assert result.exit_code == 6
    assert "PROBLEM  base URL: PRESSROOM_BASE_URL 'press.example.be' is not an address" in result.stderr
