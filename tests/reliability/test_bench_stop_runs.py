"""`kiosk bench stop` runs end to end (one run, the demo profile) and prints its figures with
the floor. No timing is asserted here (tests/reliability/test_stop_signals_end_the_kiosk.py
holds the two-second requirement)."""

from __future__ import annotations

import pytest

from kiosk.harness.bench import stop as bench


@pytest.mark.slow
def test_bench_prints_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--runs", "1", "--profiles", "demo"]) == 0
    out = capsys.readouterr().out
    for needle in ("bare python on SIGTERM (floor)", "demo  SIGTERM", "demo  SIGINT",
                   "ratio to floor"):
        assert needle in out
