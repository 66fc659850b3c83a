"""`kiosk bench touch` runs end to end in its own process (the production composition in a real
offscreen window, the tour's journeys by touches, the bare-window floor) and prints the figures
per transition kind, where the time goes, the ratio to the floor and what a frame of each screen
costs to draw against the floor's. No figure is asserted: the
machine is shared."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_bench_touch_prints_figures(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), "KIVY_HOME": str(tmp_path / "kivy-home"),
           "SDL_VIDEODRIVER": "offscreen", "KIVY_NO_ARGS": "1", "KIVY_NO_CONSOLELOG": "1"}
    done = subprocess.run([sys.executable, "-m", "kiosk", "bench", "touch", "--transitions", "20"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    for needle in ("touch lift -> next screen drawn", "attract->home", "home->identify",
                   "where the time goes", "handler", "gc", "full garbage collection",
                   "floor (bare window swapping two prebuilt screens", "ratio p95 kiosk / floor",
                   "frame draw (whole window redrawn", "floor: bare window, one label"):
        assert needle in out, needle
