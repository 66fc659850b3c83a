"""`kiosk bench camera` runs end to end (tiny settings) and prints every figure with its floor.
No timing is asserted."""

from __future__ import annotations

import pytest

from kiosk.harness.bench import camera as bench

pytestmark = pytest.mark.slow


def test_bench_prints_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--seconds", "0.2", "--trials", "1", "--rounds", "1", "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    for needle in ("preview pump", "bare VideoCapture.read", "face to capture",
                   "bare detectMultiScale", "document capture per page", "floor warp+encode",
                   "bare detectAndDecode"):
        assert needle in out
