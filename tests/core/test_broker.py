"""The embedded Redis that the default settings start on demand, shared by the processes of one
data directory and stopped when the last of them ends."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import redis

from core.broker import broker_url, release_embedded, socket_path, start_embedded, stop_embedded
from core.settings import override_settings
from tests.conftest import redis_servers


def test_embedded_redis_starts_once_is_shared_and_stops(tmp_path: Path) -> None:
    data_dir = tmp_path / "a-rather-long-directory-name-to-push-the-socket-path-over-the-limit" / "data"
    url = start_embedded(data_dir)
    try:
        assert url.startswith("redis+socket://")
        assert len(str(socket_path(data_dir))) <= 100
        client = redis.Redis(unix_socket_path=url.removeprefix("redis+socket://"))
        client.set("pressroom-test", "1")
        assert start_embedded(data_dir) == url  # a second caller reuses the running server
        assert client.get("pressroom-test") == b"1"
        client.close()
    finally:
        assert stop_embedded(data_dir) is True
    assert stop_embedded(data_dir) is False


def test_broker_url_resolves_embedded_and_passes_real_urls(tmp_path: Path) -> None:
    override_settings(broker_url="redis://127.0.0.1:6390/2")
    assert broker_url() == "redis://127.0.0.1:6390/2"
    override_settings(broker_url="embedded", data_dir=str(tmp_path / "d"))
    try:
        url = broker_url()
        assert url == f"redis+socket://{socket_path(tmp_path / 'd')}"
    finally:
        stop_embedded(tmp_path / "d")


def test_the_embedded_redis_outlives_a_killed_user_and_stops_with_the_last(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    command = [sys.executable, "-c", ("import sys; from pathlib import Path; from core.broker import start_embedded; "
               f"print(start_embedded(Path({str(data_dir)!r})), flush=True); sys.stdin.read()")]
    try:
        with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as other:
            assert other.stdout is not None
            url = other.stdout.readline().strip()
            assert start_embedded(data_dir) == url  # this process is a second user
            assert len(redis_servers(data_dir)) == 1
            other.kill()  # however a user ends, it stops counting
        client = redis.Redis(unix_socket_path=url.removeprefix("redis+socket://"))
        assert client.ping()  # still in use by this process
        client.close()
        assert release_embedded(data_dir) is True  # the last user: stopped before this returns
        assert redis_servers(data_dir) == []
    finally:
        stop_embedded(data_dir)
