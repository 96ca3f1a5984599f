"""The data directory: where everything local to one installation lives, found the same way from
anywhere inside the project.

On the defaults the SQLite database (`pressroom.db`), the embedded broker (socket, append-only
file, log, its users' lock), the Maildir, the media store, beat's schedule and the web app's
address all live in one directory, `.pressroom`. `PRESSROOM_DATA_DIR` names it; unset, it is the
`.pressroom` of the project the working directory is in:

1. the nearest directory, from the working directory up, that holds a `.pressroom` directory;
2. else the nearest that holds Pressroom's own `pyproject.toml` (a checkout);
3. else the working directory (`./.pressroom`, created when first needed).

So `pressroom users list` run in a sub-directory finds the database that `pressroom serve` made
at the top. Only the standard library is used here: settings and the broker's keeper read it.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

NAME = ".pressroom"
DATABASE_FILE = "pressroom.db"
WEB_ADDRESS_FILE = "web-address"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class Located:
    """A data directory and why it is the one."""

    path: Path
    reason: str


def _is_pressroom_checkout(directory: Path) -> bool:
    try:
        with (directory / "pyproject.toml").open("rb") as file:
            return tomllib.load(file).get("project", {}).get("name") == "pressroom"
    except (OSError, tomllib.TOMLDecodeError):
        return False


def locate(start: Path | None = None) -> Located:
    """The default data directory for a command run in `start` (the working directory)."""
    start = (start or Path.cwd()).resolve()
    chain = [start, *start.parents]
    for directory in chain:
        if (directory / NAME).is_dir():
            where = "the working directory" if directory == start else str(directory)
            return Located(directory / NAME, f"found in {where}")
    for directory in chain:
        if _is_pressroom_checkout(directory):
            return Located(directory / NAME, f"new, at the top of the checkout {directory}")
    return Located(start / NAME, "new, in the working directory")


def default_data_dir() -> Path:
    """`locate()`'s answer for the working directory (the setting's default)."""
    return locate().path


def default_database_url(data_dir: Path) -> str:
    """SQLite in the data directory; a `pressroom.db` beside it from before the database moved
    in is used while the data directory holds none (`pressroom check` says to move it)."""
    inside = data_dir / DATABASE_FILE
    beside = data_dir.parent / DATABASE_FILE
    if not inside.exists() and beside.is_file():
        return f"sqlite:///{beside}"
    return f"sqlite:///{inside}"


def record_web_address(data_dir: Path, url: str) -> None:
    """Note where the web app of this data directory listens, for the processes that make links
    without knowing it (workers rendering mail, one-shot commands)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / WEB_ADDRESS_FILE
    partial = target.with_name(f".{WEB_ADDRESS_FILE}.{os.getpid()}")
    partial.write_text(url + "\n", encoding="utf-8")
    partial.replace(target)  # a reader sees the old address or the new one, never half


def recorded_web_address(data_dir: Path) -> str | None:
    """The address the web app of this data directory last listened on, if it ever ran."""
    try:
        url = (data_dir / WEB_ADDRESS_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return url or None
