"""The fleet heartbeat of a real kiosk: after two journeys (one rated offline and delivered
later), the receipt printer reporting paper low and one application still queued, one heartbeat
reaches the platform and `kiosk sandbox fleet` lists the terminal with its id, app and flow
versions, device and supply status, queue depth and the counts of sessions and ratings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import REPO_ROOT, __version__
from kiosk.harness.reliability.journeys import Journey, run_journey
from tests.reliability.conftest import (
    SandboxProcess,
    platform_kiosk,
    reliability_catalogue,
    wait_until,
)

pytestmark = pytest.mark.slow


def test_fleet_lists_the_terminal(tmp_path: Path, sandbox_process: SandboxProcess) -> None:
    catalogue = reliability_catalogue(tmp_path / "catalogue", "social-insurance-certificate")
    parts = platform_kiosk(tmp_path, sandbox_process.url, catalogue)
    try:
        run_journey(parts, Journey("generic-application", "worker", "submit"), catalogue)
        run_journey(parts, Journey("social-insurance-certificate", "worker", "print"),
                    catalogue)
        assert parts.outbox.count("rating") == 2
        parts.hub.simulator("receipt_printer").set_paper("near_end")
        wait_until(lambda: parts.hub.status("receipt_printer").supplies.value == "low",
                   what="paper low reported")
        parts.outbox._record("application", "queued-key", {"service": "x"})  # one queued
        report = parts.heartbeat.report()
        assert (report.sessions, report.ratings, report.outbox_depth) == (2, 2, 1)
        assert parts.heartbeat.send()
    finally:
        parts.close()
    out = subprocess.run([sys.executable, "-m", "kiosk", "sandbox", "fleet", "--url",
                          sandbox_process.url], cwd=REPO_ROOT, capture_output=True, text=True,
                         timeout=60, check=True).stdout
    header, line = out.splitlines()[0], next(r for r in out.splitlines()
                                              if r.startswith("DEMO-0001"))
    assert "sessions" in header and "ratings" in header and "queue" in header
    fields = line.split()
    assert fields[1] == __version__ and fields[2] == "builtin"
    assert "low" in fields  # the paper column
    assert "receipt_printer=ready/low" in line and "document_printer=ready" in line
    assert "idcard=no_device" in line  # disabled devices are reported too
    queue, sessions, ratings = (int(f) for f in fields[fields.index("low") + 1:][:3])
    assert (queue, sessions, ratings) == (1, 2, 2)
    assert "1 terminal(s)" in out
