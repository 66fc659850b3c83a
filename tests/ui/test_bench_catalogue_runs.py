"""`kiosk bench catalogue` runs end to end at two small sizes in a real Kivy window and prints
every figure with its ratio to the floor. No timing is asserted."""

from __future__ import annotations

import pytest

from kiosk.harness.bench import catalogue as bench


@pytest.mark.slow
def test_bench_prints_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--items", f"{bench.HAND_WRITTEN},40,60", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    for needle in ("catalogue load", "lint whole bundle", "search keystroke p95",
                   "home 常用 drawn", "home theme list drawn", "home search hits drawn",
                   "bundle size", "process RSS", "growth 40 -> 60 items"):
        assert needle in out, needle


def test_bench_refuses_bad_sizes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        bench.main(["--items", "ten"])
    with pytest.raises(SystemExit):
        bench.main(["--items", "5"])
    assert f"at least {bench.HAND_WRITTEN}" in capsys.readouterr().err
