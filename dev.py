#!/usr/bin/env python3
"""Set up and run Pressroom from a fresh checkout with nothing but Python 3.11.

    python3 dev.py demo     the end-to-end demo on embedded defaults
    python3 dev.py test     the whole test suite (pytest; extra arguments go to pytest)
    python3 dev.py shell    a command inside the environment, e.g. `dev.py shell pressroom --help`
                            or `dev.py shell python bench/render.py`; no command: a shell

The first run creates a virtual environment and installs the pinned dependencies of
`requirements.lock` (hash-checked); later runs reinstall only when the lock file or
pyproject.toml changed. The environment lives outside the checkout (PRESSROOM_VENV, default
~/.cache/pressroom/venvs/<checkout>), so searches and tools over the tree see only the project.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(
    os.environ.get("PRESSROOM_VENV")
    or Path.home() / ".cache" / "pressroom" / "venvs"
    / f"{ROOT.name}-{hashlib.sha256(str(ROOT).encode()).hexdigest()[:10]}"
)
BIN = VENV / "bin"
STAMP = VENV / ".pressroom-installed"


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for name in ("requirements.lock", "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_environment() -> None:
    """Create the virtual environment and install the locked dependencies when needed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs under whatever python3 there is
        sys.exit(f"Pressroom needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not (BIN / "python").exists():
        print(f"creating the environment in {VENV} …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if STAMP.exists() and STAMP.read_text() == _fingerprint():
        return
    pip = [str(BIN / "python"), "-m", "pip", "--disable-pip-version-check"]
    print("installing pinned dependencies from requirements.lock …", flush=True)
    subprocess.run(pip + ["install", "--quiet", "--require-hashes", "-r", str(ROOT / "requirements.lock")], check=True)
    subprocess.run(pip + ["install", "--quiet", "--no-deps", "-e", str(ROOT)], check=True)
    STAMP.write_text(_fingerprint())


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "shell"}:
        print(__doc__)
        return 2
    ensure_environment()
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    command, rest = argv[0], argv[1:]
    if command == "demo":
        args = [str(BIN / "pressroom"), "demo", *rest]
    elif command == "test":
        args = [str(BIN / "python"), "-m", "pytest", *rest]
    else:
        args = rest or [os.environ.get("SHELL", "/bin/sh")]
    return subprocess.run(args, cwd=ROOT, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
