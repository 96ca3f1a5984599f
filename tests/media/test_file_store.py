"""The file store's streams: a response dropped before its first chunk (a reader who navigated
away) leaves no open file behind, and a missing object is refused before any byte is promised."""

from __future__ import annotations

import gc
import warnings
from pathlib import Path

import pytest

from media.errors import MediaMissing
from media.storage import FileStore


def test_a_stream_dropped_unread_leaves_no_open_file(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    store.put("renditions/ab/cover-300.jpg", b"\xff\xd8" + b"x" * 100_000, "image/jpeg")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        unread = store.stream("renditions/ab/cover-300.jpg")
        del unread
        gc.collect()
        assert b"".join(store.stream("renditions/ab/cover-300.jpg"))[:2] == b"\xff\xd8"
        gc.collect()
    with pytest.raises(MediaMissing):
        store.stream("renditions/ab/none.jpg")
