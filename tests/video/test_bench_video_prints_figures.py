"""`kiosk bench video` runs in its own process (SDL offscreen) and prints every figure with its
floor and ratio; no timing is asserted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import REPO_ROOT

pytestmark = pytest.mark.slow


@pytest.mark.timeout(300)
def test_bench_video_prints_figures(tmp_path: Path) -> None:
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1",
               KIVY_NO_CONSOLELOG="1", KIVY_HOME=str(tmp_path / "kivy"))
    done = subprocess.run([sys.executable, "-m", "kiosk", "bench", "video", "--seconds", "3"],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=280)
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    for label in ("accept -> first remote frame", "remote frames per second",
                  "process CPU", "one-way latency", "floor (no Kivy)", "ratio",
                  "kiosk CPU per drawn frame"):
        assert label in out, out
    fps_row = next(line for line in out.splitlines() if "remote frames per second" in line)
    assert float(fps_row.split()[6]) > 0, out  # the kiosk drew frames
