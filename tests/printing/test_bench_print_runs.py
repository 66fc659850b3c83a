"""`kiosk bench print` runs end to end and prints its figures (no timing is asserted)."""

from __future__ import annotations

from kiosk.harness.bench import main as bench_main


def test_bench_print_prints_its_figures(capsys) -> None:
    assert bench_main(["print", "--repeat", "2", "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    for label in ("certificate render:", "bare reportlab page:", "render / floor ratio:",
                  "QR encoding:", "render + submit + done:", "receipt bytes:"):
        assert label in out, label
