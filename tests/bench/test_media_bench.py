"""The media benchmark in its quick form, run as a person would run it: it must finish and
find every rendition made, at its size, without camera metadata."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_media_benchmark_quick_checks_the_renditions(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESSROOM_")}
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "media_renditions.py"), "--quick"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "verified: 9 renditions, each at its size, none carrying EXIF, XMP or the GPS position" in out
    assert "baseline (Pillow open/resize/save):" in out and "ratio" in out
    assert "result: correct" in out
