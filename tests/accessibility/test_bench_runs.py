"""The accessibility benchmarks run and print their figures (no timing is asserted)."""

from __future__ import annotations

import pytest

from kiosk.harness.bench import main as bench

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", ["pinyin", "voice"])
def test_benchmark_prints_a_ratio(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert bench([name, "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "floor" in out and "ratio" in out
