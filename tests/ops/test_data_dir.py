"""One data directory per project: every `pressroom` command finds it from anywhere inside the
project, says which one it uses, and a one-shot command leaves no embedded Redis behind; the web
app's address, recorded there, is the links' base for processes that do not know it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from cli.web import adopt_web_address
from core.datadir import locate, recorded_web_address
from core.db import dispose_engines
from core.settings import Settings, get_settings
from tests.conftest import redis_servers, wait_until

PRESSROOM = [sys.executable, "-c", "from cli.main import main; main()"]


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`pressroom ARGS…` in `cwd` on the defaults (no PRESSROOM_* variable set)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESSROOM_")}
    return subprocess.run([*PRESSROOM, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_commands_anywhere_in_the_project_use_its_data_directory(
    tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, elsewhere = tmp_path / "office", tmp_path / "elsewhere"
    desk = project / "releases" / "2026"
    desk.mkdir(parents=True)
    elsewhere.mkdir()
    data_dir = project / ".pressroom"
    data_dir.mkdir()
    shutil.copy(sqlite_template, data_dir / "pressroom.db")  # as `pressroom db upgrade` in `project`

    # A one-shot command that hands an event to the broker starts the embedded Redis and, as its
    # only user, stops it when it ends.
    assert redis_servers(data_dir) == []
    invited = _run(desk, "users", "invite", "an@example.be", "--name", "An Peeters", "--role", "admin")
    assert invited.returncode == 0, invited.stderr
    assert "warning" not in invited.stderr
    assert (data_dir / "appendonly.aof").stat().st_size > 0  # the invitation waits in the broker's file
    wait_until(lambda: redis_servers(data_dir) == [], 10, "the embedded Redis to stop")

    for variable in [k for k in os.environ if k.startswith("PRESSROOM_") and k != "PRESSROOM_BROKER_URL"]:
        monkeypatch.delenv(variable)
    monkeypatch.chdir(desk)
    get_settings.cache_clear()
    checked = CliRunner().invoke(cli, ["check"])
    assert f"ok       data directory: {data_dir} (found in {project})" in checked.stdout
    assert f"database: sqlite:///{data_dir / 'pressroom.db'}: reachable" in checked.stdout
    assert "an@example.be" in CliRunner().invoke(cli, ["users", "list"]).stdout

    # Outside the project there is no database: the error names the one looked for.
    monkeypatch.chdir(elsewhere)
    get_settings.cache_clear()
    lost = CliRunner().invoke(cli, ["users", "list"])
    dispose_engines()
    assert lost.exit_code == 6
    assert f"(database sqlite:///{elsewhere / '.pressroom' / 'pressroom.db'}:" in lost.stderr
    assert not (elsewhere / ".pressroom").exists() and not (desk / ".pressroom").exists()


def test_the_data_directory_is_the_nearest_pressroom_or_the_checkout(tmp_path: Path) -> None:
    inner = tmp_path / "checkout" / "docs" / "drafts"
    inner.mkdir(parents=True)
    assert locate(inner).path == inner / ".pressroom"
    (tmp_path / "checkout" / "pyproject.toml").write_text('[project]\nname = "pressroom"\n')
    assert locate(inner).path == tmp_path / "checkout" / ".pressroom"
    (tmp_path / "checkout" / "docs" / ".pressroom").mkdir()
    assert locate(inner).path == tmp_path / "checkout" / "docs" / ".pressroom"
    assert locate(inner).reason == f"found in {tmp_path / 'checkout' / 'docs'}"


def test_a_worker_started_on_its_own_links_to_the_web_apps_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRESSROOM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PRESSROOM_BASE_URL", raising=False)
    get_settings.cache_clear()
    assert adopt_web_address("0.0.0.0", 8101) == "http://127.0.0.1:8101"  # as `pressroom web --port 8101`
    assert os.environ["PRESSROOM_BASE_URL"] == "http://127.0.0.1:8101"  # what its own processes inherit
    monkeypatch.delenv("PRESSROOM_BASE_URL")
    assert Settings().base_url == "http://127.0.0.1:8101"  # a worker started in another terminal

    monkeypatch.setenv("PRESSROOM_BASE_URL", "https://press.example.be")  # set: it wins
    get_settings.cache_clear()
    assert adopt_web_address("127.0.0.1", 8102) == "https://press.example.be"
    assert recorded_web_address(tmp_path) == "http://127.0.0.1:8102"  # for `pressroom check`


def test_a_database_left_beside_the_data_directory_is_used_and_check_says_to_move_it(
    tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".pressroom").mkdir()
    shutil.copy(sqlite_template, tmp_path / "pressroom.db")  # where an older version kept it
    for variable in [k for k in os.environ if k.startswith("PRESSROOM_") and k != "PRESSROOM_BROKER_URL"]:
        monkeypatch.delenv(variable)
    monkeypatch.chdir(tmp_path)
    assert Settings().database_url == f"sqlite:///{tmp_path / 'pressroom.db'}"
    checked = CliRunner().invoke(cli, ["check"])
    assert checked.exit_code == 0, checked.output
    assert f"warning  data directory: {tmp_path / '.pressroom'} (found in the working directory); the database " \
        f"{tmp_path / 'pressroom.db'} is outside it: stop Pressroom and move it" in checked.stderr
