"""kill -9 while a certificate is printing, restart: the start-up reconciliation marks it failed
(offered for reprint), and 证明补打 lists it and prints it under the same serial.

Real processes: the sandbox platform on its own, a kiosk process (the real composition, print
journal, ippeveprinter) killed with its printer daemons while the printer holds the job, then a
new kiosk on the same data folder in this process.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from flows.views import StepKind
from kiosk import REPO_ROOT
from kiosk.ops.recovery import INTERRUPTED_CERTIFICATE
from kiosk.printing.journal import PrintState
from tests.integration.conftest import Terminal
from tests.reliability.conftest import SandboxProcess, child_env, wait_until

#: Bounds for the child kiosk to start and hand the job to its printer (not timing assertions).
CHILD_SECONDS = 120.0
PRINTER_READY_SECONDS = 60.0
#: After the journal's attempt is recorded, time for the job to reach the (slow) printer; the
#: outcome is the same if the kill lands before: the print was in flight either way.
IN_FLIGHT_SECONDS = 1.0


def _journal_rows(data: Path) -> list[tuple[str, str, int]]:
    path = data / "prints.sqlite3"
    if not path.exists():
        return []
    conn = sqlite3.connect(path, timeout=10)
    try:
        return conn.execute("SELECT serial, state, attempts FROM prints WHERE kind = "
                            "'certificate'").fetchall()
    except sqlite3.OperationalError:  # the child created the file, not yet its table
        return []
    finally:
        conn.close()


def _kill_while_printing(data: Path, url: str, tmp: Path) -> str:
    """Start the child kiosk, wait until the print is in flight, kill -9; return the serial.

    The journal says ``pending`` with one attempt while the driver waits for the printer (it is
    marked ``submitted`` when the driver returns), so that is what a power cut leaves here."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.print_until_killed", "--data-dir", str(data),
         "--base-url", url, "--resident", "worker"],
        cwd=REPO_ROOT, env=child_env(tmp), stdout=subprocess.PIPE,
        stderr=(tmp / "child.err").open("a"), text=True, start_new_session=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(ln.strip() for ln in proc.stdout),
                              daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + CHILD_SECONDS
        while not any(attempts == 1 for _, _, attempts in _journal_rows(data)):
            assert proc.poll() is None, f"the child kiosk died: {lines}"
            assert time.monotonic() < deadline, "the print never started"
            time.sleep(0.05)
        time.sleep(IN_FLIGHT_SECONDS)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the kiosk and its printer daemons: a power cut
        proc.wait()
        reader.join(timeout=10)
    assert "not killed" not in lines
    [(serial, state, attempts)] = _journal_rows(data)
    assert state in ("pending", "submitted") and attempts == 1
    return serial


@pytest.mark.slow
def test_certificate_reprint_after_a_kill_mid_print(tmp_path: Path,
                                                     sandbox_process: SandboxProcess) -> None:
    from kiosk.boot.composition import build_kiosk
    from kiosk.boot.settings import load_settings
    from kiosk.core.tasks import InlineRunner

    data = tmp_path / "data"
    serial = _kill_while_printing(data, sandbox_process.url, tmp_path)

    env = {"KIOSK__PATHS__DATA_DIR": str(data), "KIOSK__PLATFORM__BASE_URL": sandbox_process.url}
    for name in ("idcard", "smartcard", "camera", "scanner"):
        env[f"KIOSK__DEVICES__{name.upper()}"] = "none"
    parts = build_kiosk(load_settings(environ=env), InlineRunner())
    try:
        parts.start_devices()  # opens the printers and reconciles at once (inline runner)
        journal = parts.printing.journal
        entry = journal.by_serial(serial)
        assert entry is not None and entry.state is PrintState.FAILED
        assert entry.reason == INTERRUPTED_CERTIFICATE
        assert entry in journal.pending_reprints()
        wait_until(lambda: parts.hub.usable("document_printer"), PRINTER_READY_SECONDS,
                   "the document printer")

        terminal = Terminal(parts, data, sandbox_process.url)
        s = terminal.run("certificate-reprint", "worker", {"serial": serial})
        records = s.of_kind(StepKind.RECORDS)[0]
        assert serial in [o.value for o in records.options]  # listed, newest first
        assert records.options[0].value == serial
        assert s.done and s.run.record.serials == [serial]
        [pdf] = s.certificates
        assert serial in "".join(pdf.split())
        done = journal.by_serial(serial)
        assert done is not None and done.id == entry.id and done.digest == entry.digest
        assert done.state is PrintState.DONE and done.attempts == 2
        assert journal.pending_reprints() == []
    finally:
        parts.close()
