"""`kiosk bench flows` runs end to end (one replay) and prints its figures with the floor.
No timing is asserted."""

from __future__ import annotations

import pytest

from kiosk.harness.bench import flows as bench

pytestmark = pytest.mark.slow


def test_bench_prints_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--repeat", "1"]) == 0
    out = capsys.readouterr().out
    for needle in ("us/transition", "floor (bare View construction)", "ratio",
                   "catalogue load", "catalogue search", "newborn-bundle"):
        assert needle in out
