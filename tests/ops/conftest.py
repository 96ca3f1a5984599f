"""Fixtures for the operations tests: the docker-compose command, installed in CI if missing."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.conftest import IN_CI


def _install_docker_compose() -> str | None:
    """Debian's `docker-compose` package (without the Docker engine it recommends)."""
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        return None
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [apt, "install", "-y", "-q", "--no-install-recommends", "docker-compose"]
    if subprocess.run(install, check=False, env=env, capture_output=True, timeout=600).returncode != 0:
        subprocess.run([apt, "update", "-q"], check=False, env=env, capture_output=True, timeout=600)
        result = subprocess.run(install, check=False, env=env, capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            pytest.fail(f"apt-get could not install docker-compose:\n{result.stderr[-2000:]}")
    return shutil.which("docker-compose")


@pytest.fixture(scope="session")
def docker_compose() -> str:
    """The path of `docker-compose`; in CI it is installed from Debian's packages when missing."""
    found = shutil.which("docker-compose")
    if found:
        return found
    if not IN_CI:
        pytest.skip("docker-compose is not installed (CI installs it with apt-get)")
    installed = _install_docker_compose()
    if installed is None:
        pytest.skip("docker-compose is missing and apt-get (as root) is not available to install it")
    return installed
