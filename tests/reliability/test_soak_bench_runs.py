"""`kiosk bench soak` runs a few engine journeys end to end (separate sandbox process) and
prints its figures: RSS, descriptors by kind and threads at start and end, and the floor."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import REPO_ROOT

pytestmark = pytest.mark.slow


def test_soak_bench_prints_its_figures(tmp_path: Path) -> None:
    env = dict(os.environ, TMPDIR=str(tmp_path))
    done = subprocess.run([sys.executable, "-m", "kiosk", "bench", "soak", "--sessions", "8",
                           "--warmup", "2"], cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    out = done.stdout
    assert "engine: 8 sessions" in out and "0 failed" in out
    for figure in ("RSS      start", "files    start", "threads  start", "floor: bare session"):
        assert figure in out, figure
    assert "goal < 5 MB" in out
