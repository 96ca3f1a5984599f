"""The compose file and Dockerfile: every command is a real `pressroom` command, every variable a
real setting, start-up order by health, one beat, no secret in the image; and `docker-compose
config` accepts the file where docker-compose is installed (in CI it is)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
SETTINGS_VARIABLES = {f"PRESSROOM_{name.upper()}" for name in Settings.model_fields}
# Interpolated variables that are not Pressroom settings: the PostgreSQL container's own password.
OTHER_VARIABLES = {"POSTGRES_PASSWORD"}
SERVICES = {"redis", "postgres", "migrate", "web", "worker", "beat", "flower", "mailpit"}
INTERPOLATION = re.compile(r"(?<!\$)\$\{?([A-Za-z_][A-Za-z0-9_]*)")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for key, value in node.items() for s in _strings(key) + _strings(value)]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    return []


def _pressroom_services(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {name: svc for name, svc in services.items() if "build" in svc}


def resolve_command(argv: list[str]) -> tuple[click.Command, list[str]]:
    """The click command `pressroom ARGV` runs, and the arguments left for it."""
    from cli.main import cli

    command: click.Command = cli
    args = list(argv)
    while isinstance(command, click.Group) and args and not args[0].startswith("-"):
        sub = command.commands.get(args[0])
        assert sub is not None, f"`pressroom {' '.join(argv)}`: no sub-command {args[0]!r}"
        command, args = sub, args[1:]
    return command, args


def test_every_service_is_there(services: dict[str, dict[str, Any]]) -> None:
    assert SERVICES <= set(services)


def test_commands_are_real_pressroom_commands_or_images(services: dict[str, dict[str, Any]]) -> None:
    pressroom = _pressroom_services(services)
    assert {"migrate", "web", "worker", "beat"} <= set(pressroom)
    for name, service in services.items():
        if name in pressroom:
            command = service["command"]
            assert isinstance(command, list) and command[0] == "pressroom", name
            found, rest = resolve_command(command[1:])
            assert not isinstance(found, click.Group), f"{name}: `{' '.join(command)}` names a group"
            found.make_context(f"pressroom {name}", list(rest))  # unknown options raise here
        else:
            image = service.get("image", "")
            assert re.fullmatch(r"[\w./-]+:[\w.-]+", image) and not image.endswith(":latest"), (
                f"{name}: a pinned image, got {image!r}"
            )
    assert services["migrate"]["command"] == ["pressroom", "db", "upgrade"]


def test_resolve_command_refuses_what_does_not_exist() -> None:
    with pytest.raises(AssertionError):
        resolve_command(["no-such-command"])
    found, rest = resolve_command(["worker", "--bogus"])
    with pytest.raises(click.UsageError):
        found.make_context("pressroom worker", rest)


def test_every_pressroom_variable_is_a_setting(compose: dict[str, Any], services: dict[str, dict[str, Any]]) -> None:
    text = COMPOSE.read_text()
    mentioned = set(re.findall(r"PRESSROOM_[A-Z0-9_]+", text))
    assert mentioned, "the compose file configures Pressroom through PRESSROOM_* variables"
    assert mentioned <= SETTINGS_VARIABLES, sorted(mentioned - SETTINGS_VARIABLES)
    interpolated = {m for s in _strings(compose) for m in INTERPOLATION.findall(s)}
    assert interpolated - SETTINGS_VARIABLES <= OTHER_VARIABLES, sorted(interpolated - SETTINGS_VARIABLES)
    for name, service in _pressroom_services(services).items():
        keys = set(service["environment"])
        assert keys <= SETTINGS_VARIABLES, (name, sorted(keys - SETTINGS_VARIABLES))
        assert {"PRESSROOM_DATABASE_URL", "PRESSROOM_BROKER_URL", "PRESSROOM_SECRET_KEY"} <= keys


def test_secrets_come_from_outside(services: dict[str, dict[str, Any]]) -> None:
    env = services["web"]["environment"]
    # Required at `up` time, never a default in the file.
    assert re.fullmatch(r"\$\{PRESSROOM_SECRET_KEY:\?[^}]*\}", env["PRESSROOM_SECRET_KEY"])
    assert "${POSTGRES_PASSWORD:?" in env["PRESSROOM_DATABASE_URL"]
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert env["PRESSROOM_ENVIRONMENT"] == "production"  # refuses the development secret


def test_start_up_order_follows_health(services: dict[str, dict[str, Any]]) -> None:
    conditions = {"service_started", "service_healthy", "service_completed_successfully"}
    for name, service in services.items():
        for dependency, rule in (service.get("depends_on") or {}).items():
            assert dependency in services, f"{name} depends on unknown service {dependency}"
            assert rule["condition"] in conditions
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], f"{dependency} needs a healthcheck"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["redis"]["condition"] == "service_healthy", name
    assert services["migrate"].get("restart") == "no"
    assert "healthcheck" in services["web"] and "/healthz" in str(services["web"]["healthcheck"])


def test_workers_scale_and_beat_stays_one(services: dict[str, dict[str, Any]]) -> None:
    worker = services["worker"]
    assert "container_name" not in worker and "ports" not in worker  # `--scale worker=4` works
    beat = services["beat"]
    assert int((beat.get("deploy") or {}).get("replicas", 1)) == 1
    assert "scale" not in beat
    for name, service in services.items():
        if name != "beat" and "build" in service:
            assert "--beat" not in service["command"], f"{name} would run a second scheduler"


def test_data_survives_restarts(compose: dict[str, Any], services: dict[str, dict[str, Any]]) -> None:
    redis = services["redis"]
    assert redis["command"][redis["command"].index("--appendonly") + 1] == "yes"
    assert any(v.endswith(":/data") for v in redis["volumes"])
    assert any(v.endswith(":/var/lib/postgresql/data") for v in services["postgres"]["volumes"])
    assert {"redis-data", "postgres-data"} <= set(compose["volumes"])


def test_dockerfile_is_multi_stage_locked_and_unprivileged() -> None:
    text = DOCKERFILE.read_text()
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\w+))?", text, re.MULTILINE)
    assert len(stages) >= 2 and stages[0][1] == "builder"
    assert "COPY requirements-runtime.lock /tmp/requirements.lock" in text
    assert "--require-hashes -r /tmp/requirements.lock" in text
    assert "COPY --from=builder /opt/venv /opt/venv" in text
    users = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert not re.search(r"^(ENV|ARG)\b.*(SECRET|PASSWORD|TOKEN)", text, re.MULTILINE | re.IGNORECASE)
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".venv", ".git", "*.db"} <= set(ignored)


def test_docker_compose_config_accepts_the_file(docker_compose: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRESSROOM_", "POSTGRES_"))}
    empty_env_file = tmp_path / "empty.env"  # a developer's .env must not change the outcome
    empty_env_file.write_text("")
    run = [docker_compose, "-f", str(COMPOSE), "--env-file", str(empty_env_file), "config"]
    missing = subprocess.run(run, check=False, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert missing.returncode != 0, "the file must refuse to start without its secrets"
    assert "PRESSROOM_SECRET_KEY" in missing.stderr or "POSTGRES_PASSWORD" in missing.stderr
    env.update(PRESSROOM_SECRET_KEY="s3cret-for-config", POSTGRES_PASSWORD="pg-for-config")
    result = subprocess.run(run, check=False, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    rendered = yaml.safe_load(result.stdout)
    assert set(rendered["services"]) >= SERVICES
    web = rendered["services"]["web"]
    assert web["environment"]["PRESSROOM_SECRET_KEY"] == "s3cret-for-config"
    assert "pg-for-config@postgres" in web["environment"]["PRESSROOM_DATABASE_URL"]


def _pins(path: Path) -> dict[str, tuple[str, frozenset[str]]]:
    """name -> (version, hashes) of a pip-compile lock file."""
    pins: dict[str, tuple[str, frozenset[str]]] = {}
    for block in re.split(r"\n(?=\S)", path.read_text()):
        found = re.match(r"([A-Za-z0-9_.\-]+)==(\S+)", block)
        if found:
            pins[found.group(1).lower()] = (found.group(2), frozenset(re.findall(r"--hash=(\S+)", block)))
    return pins


def test_the_image_lock_is_the_full_lock_without_the_test_tools() -> None:
    full, runtime = _pins(ROOT / "requirements.lock"), _pins(ROOT / "requirements-runtime.lock")
    assert runtime and set(runtime) < set(full)
    drifted = {name: (pin[0], full[name][0]) for name, pin in runtime.items() if full[name] != pin}
    assert not drifted, f"regenerate requirements-runtime.lock (see the README): {drifted}"
    assert not {"pytest", "playwright", "hypothesis", "mypy", "ruff", "schemathesis"} & set(runtime)
    for needed in ("celery", "redis", "jinja2", "mjml-python", "sqlmodel", "fastapi", "psycopg"):
        assert needed in runtime, needed
