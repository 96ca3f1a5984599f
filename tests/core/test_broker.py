"""The embedded Redis that the default settings start on demand."""

from __future__ import annotations

from pathlib import Path

import redis

from core.broker import broker_url, socket_path, start_embedded, stop_embedded
from core.settings import override_settings


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
