"""`kiosk bench rollout` runs end to end (real repository, two-person release, rollout role,
terminal updater) and prints its figures against its floors; no timing is asserted."""

from __future__ import annotations

import pytest

from kiosk.harness.bench import main as bench

pytestmark = pytest.mark.slow


def test_bench_rollout_prints_figures_and_ratios(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench(["rollout", "--rounds", "1", "--pilot", "20", "--interval", "300"]) == 0
    out = capsys.readouterr().out
    assert "stage signed -> activated" in out and "ratio to floor" in out
    assert "approval -> activation at a 300 s poll: mean" in out
    assert "bytes a terminal fetches for that stage" in out
