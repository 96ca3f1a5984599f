"""Each webhook test ends with no connection kept alive to a receiver that is gone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from webhooks.delivery import close_clients


@pytest.fixture(autouse=True)
def _fresh_clients() -> Iterator[None]:
    yield
    close_clients()
