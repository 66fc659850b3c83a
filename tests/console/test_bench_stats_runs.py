"""`kiosk bench stats` runs end to end on both databases and prints its figures (a smoke run
with a small fleet and two months; the figures themselves are read by people, not asserted),
and a bad option is a plain message, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from kiosk import REPO_ROOT

pytestmark = pytest.mark.slow


def _bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", "bench", "stats", *args],
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})


def test_bench_stats_prints_figures_for_both_databases() -> None:
    answer = _bench("--terminals", "16", "--days", "62")
    assert answer.returncode == 0, answer.stderr[-2000:]
    for database in ("[sqlite] 16 terminals x 62 days", "[postgresql] 16 terminals x 62 days"):
        assert database in answer.stdout
    assert answer.stdout.count("ratio to floor") == 10  # five pages on each database
    assert answer.stdout.count("MiB") == 2 and "work items" in answer.stdout


def test_a_fleet_too_small_is_refused_in_words() -> None:
    answer = _bench("--terminals", "2")
    assert answer.returncode == 2 and "--terminals must be at least 8" in answer.stderr
    assert "Traceback" not in answer.stderr
