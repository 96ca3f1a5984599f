"""`pressroom users password` and `pressroom web`, and the password hashes themselves."""

from __future__ import annotations

from click.testing import CliRunner

from cli.main import cli
from core.db import session_scope
from web.passwords import hash_password, needs_rehash, verify_password
from workflow.sessions import fingerprint
from workflow.users import add_user, get_user


def test_hashes_are_salted_scrypt_and_verify() -> None:
    first, second = hash_password("a long passphrase"), hash_password("a long passphrase")
    assert first.startswith("scrypt$16384$8$1$") and first != second
    assert verify_password("a long passphrase", first) and not verify_password("a long passphrase!", first)
    assert not verify_password("anything", None) and not verify_password("anything", "md5$abc")
    assert not needs_rehash(first) and needs_rehash("scrypt$1024$8$1$c2FsdA==$a2V5")
    assert fingerprint(first) != fingerprint(second)


def test_users_password_from_stdin(sqlite_db: str) -> None:
    with session_scope() as s:
        add_user(s, "an@example.be", "An Peeters", "spokesperson")
    runner = CliRunner()
    result = runner.invoke(cli, ["users", "password", "an@example.be", "--password-stdin"],
                           input="correct horse battery\n")
    assert result.exit_code == 0, result.output
    with session_scope() as s:
        assert verify_password("correct horse battery", get_user(s, "an@example.be").password_hash)
    short = runner.invoke(cli, ["users", "password", "an@example.be", "--password-stdin"], input="short\n")
    assert short.exit_code == 2 and "at least 10" in short.output
    missing = runner.invoke(cli, ["users", "password", "nobody@example.be", "--password-stdin"],
                            input="correct horse battery\n")
    assert missing.exit_code == 3


def test_users_password_prompt(sqlite_db: str) -> None:
    with session_scope() as s:
        add_user(s, "marc@example.be", "Marc Dubois", "approver")
    result = CliRunner().invoke(cli, ["users", "password", "marc@example.be"],
                                input="another long one\nanother long one\n")
    assert result.exit_code == 0, result.output


def test_web_command_is_registered() -> None:
    result = CliRunner().invoke(cli, ["web", "--help"])
    assert result.exit_code == 0 and "--port" in result.output and "--host" in result.output
