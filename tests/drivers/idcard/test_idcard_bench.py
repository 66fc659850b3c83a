"""`kiosk bench idcard` runs end to end (its figures are printed, never asserted)."""

from __future__ import annotations

import pytest

from kiosk.harness.bench import main as bench_main


def test_bench_idcard_prints_floor_measured_and_ratio(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_main(["idcard", "--reads", "1"]) == 0
    out = capsys.readouterr().out
    for label in ("physical floor", "measured", "ratio:", "bytes on the wire: 1450"):
        assert label in out
