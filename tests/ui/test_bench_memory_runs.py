"""`kiosk bench memory` runs end to end (a bare window and the kiosk, each in its own process,
two sessions by touches) and prints RSS at attract and after the sessions with their ratio to
the bare window. No figure is asserted: the machine is shared."""

from __future__ import annotations

import pytest

from kiosk.harness.bench import memory as bench


@pytest.mark.slow
def test_bench_prints_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--sessions", "2", "--warmup", "1"]) == 0
    out = capsys.readouterr().out
    for needle in ("bare Kivy window, same font (floor)", "kiosk at attract", "ratio",
                   "libraries loaded at attract", "RSS by quarter", "per 1,000 sessions",
                   "after the sessions"):
        assert needle in out, needle
    assert "pypinyin" not in out.split("libraries loaded at attract:")[1].split("(")[0]
