"""The keeper of an embedded Redis: runs `redis-server` for one data directory and stops it as
soon as no Pressroom process uses it any more.

Every process that uses the embedded broker holds a shared lock on `<data dir>/broker.users`
while it lives (core.broker); the kernel drops the lock when the process ends, however it ends,
killed included. The keeper waits for an exclusive lock on that file, which it gets exactly when
the last user is gone, and then stops the server (SIGTERM: Redis writes its append-only file,
so queued tasks wait for the next start). It holds `<data dir>/broker.keeper` for its whole life:
one keeper per data directory, and whoever stops the server can wait for the keeper to be gone.
The server dies with its keeper (Linux: parent-death signal), so neither outlives the other.

Run as `python -c "from core.broker_keeper import main; main()" BINARY DATA_DIR SOCKET`; it
prints one line, `ready`, `running` (another keeper has this data directory) or `failed`, and
detaches. Only the standard library is imported: it starts for every first command of a day.
"""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

USERS_LOCK = "broker.users"
KEEPER_LOCK = "broker.keeper"
START_TIMEOUT = 10.0  # seconds for redis-server to answer PING


def lock_file(data_dir: Path, name: str) -> int:
    """A file descriptor on one of the broker's lock files (not inherited by exec'd children)."""
    return os.open(data_dir / name, os.O_RDWR | os.O_CREAT, 0o600)


def answers(path: Path) -> bool:
    """Whether a Redis listens on the unix socket `path` and answers PING."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(1)
            connection.connect(str(path))
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _die_with_keeper() -> None:
    """In the server's process before exec: receive SIGTERM when the keeper dies."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _say(word: str) -> None:
    os.write(1, f"{word}\n".encode())


def keep(binary: str, data_dir: Path, path: Path) -> int:
    keeper = lock_file(data_dir, KEEPER_LOCK)
    try:
        fcntl.flock(keeper, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        _say("running")
        return 0
    if os.fork():
        os._exit(0)  # the starter reaps this parent at once; the keeper lives on in the child
    command = [
        binary,
        "--port", "0",
        "--unixsocket", str(path),
        "--unixsocketperm", "700",
        "--dir", str(data_dir),
        "--logfile", str(data_dir / "redis.log"),
        # Keep queued tasks across a restart of the embedded server.
        "--appendonly", "yes",
        "--save", "",
    ]
    server = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL,
                              preexec_fn=_die_with_keeper)  # noqa: PLW1509 - no thread runs yet
    deadline = time.monotonic() + START_TIMEOUT
    while not answers(path):
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            _say("failed")
            return 1
        time.sleep(0.01)
    _say("ready")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # the starter has its answer; nothing more goes down its pipe

    def stop_when_unused() -> None:
        users = lock_file(data_dir, USERS_LOCK)
        fcntl.flock(users, fcntl.LOCK_EX)  # granted once no process holds the shared lock
        server.terminate()

    threading.Thread(target=stop_when_unused, daemon=True).start()
    server.wait()  # stopped above, or by SHUTDOWN from core.broker.stop_embedded
    os._exit(0)  # the locks go with the process


def main() -> None:
    binary, data_dir, path = sys.argv[1:4]
    sys.exit(keep(binary, Path(data_dir), Path(path)))
