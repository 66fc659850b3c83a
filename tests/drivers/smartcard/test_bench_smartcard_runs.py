"""`kiosk bench smartcard` runs end to end (its own process: libpcsclite caches the socket path)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]


def test_bench_prints_figures_and_floor() -> None:
    result = subprocess.run([sys.executable, "-m", "kiosk", "bench", "smartcard", "--runs", "3"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "3 runs through pcscd" in out
    assert "insert -> identity_read" in out and "floor: raw APDU round trip" in out
    assert "x 16 APDUs" in out
