"""`kiosk bench console` runs end to end on both databases and prints its figures (a smoke
run with a small fleet; the figures themselves are read by people, not asserted)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from kiosk import REPO_ROOT

pytestmark = pytest.mark.slow


def test_bench_console_prints_figures_for_both_databases() -> None:
    answer = subprocess.run(
        [sys.executable, "-m", "kiosk", "bench", "console", "--terminals", "40", "--seconds",
         "2", "--interval", "2"], capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    assert answer.returncode == 0, answer.stderr[-2000:]
    for database in ("[sqlite] 40 terminals", "[postgresql] 40 terminals"):
        assert database in answer.stdout
    assert "[floor: bare FastAPI, same requests] 40 terminals" in answer.stdout
    assert answer.stdout.count("refused none") == 3  # the floor and both databases
    assert answer.stdout.count("ratio p50/floor") == 3
    assert answer.stdout.count("against the floor: p50 x") == 2
    assert answer.stdout.count("fleet page with 40 terminals") == 2
