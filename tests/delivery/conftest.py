"""Fixtures shared by the delivery tests that run Pressroom's own worker processes."""

from __future__ import annotations

import re

import pytest
import redis as redis_lib


@pytest.fixture
def process_broker(broker: str) -> str:
    """A Redis database of its own (the next one after the test broker's), emptied, so no
    in-process test worker takes the tasks meant for the worker processes a test starts."""
    if broker.startswith("redis+socket://"):
        url = broker + "?virtual_host=1"
        client = redis_lib.Redis(unix_socket_path=broker.removeprefix("redis+socket://"), db=1)
    else:
        url = re.sub(r"/(\d+)$", lambda m: f"/{(int(m.group(1)) + 1) % 16}", broker)
        client = redis_lib.Redis.from_url(url)
    client.flushdb()
    client.close()
    return url
