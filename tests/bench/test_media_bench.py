"""The media benchmark in its quick form, run as a person would run it: it must finish and
find every rendition made, at its size, without camera metadata."""

from __future__ import annotations

from pathlib import Path

from tests.bench import run_quick


def test_media_benchmark_quick_checks_the_renditions(tmp_path: Path) -> None:
    out = run_quick("media_renditions.py", tmp_path, timeout=120)
    assert "verified: 9 renditions, each at its size, none carrying EXIF, XMP or the GPS position" in out
    assert "baseline (Pillow open/resize/save):" in out and "ratio" in out
    assert "result: correct" in out
