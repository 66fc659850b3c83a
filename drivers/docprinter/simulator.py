"""`sim://docprinter`: a real `ippeveprinter` (CUPS) on loopback with a controllable fault script.

The simulator starts a private D-Bus daemon (ippeveprinter needs one even with DNS-SD off) and
`ippeveprinter -k -c SCRIPT` with its own spool folder on a free port; the kiosk's real IPP
driver talks to it over IPP. The fault script reads a control file on every job, so the test or
the demo chooses what the next job does:

- ``complete``: the job prints (exit 0);
- ``media-empty``: paper runs out mid-job: ``STATE: +media-empty``, job aborted; every later job
  waits until `load_paper()` (ippeveprinter's own behaviour);
- ``jam``: ``STATE: +media-jam``, job aborted; `clear_jam()` clears it;
- ``abort``: the printer fails the job (``ERROR:``, exit 1);
- ``slow``: the job takes ``slow_seconds`` before completing;
- ``toner-low``: prints, and reports ``toner-low``.

`empty_tray()` empties the paper tray at once (paper out before any job); `go_offline()` stops
the printer process and `go_online()` starts it again on the same port. Every job the script saw
is recorded in a ledger, so `printed_documents()` returns exactly what the printer completed,
with the byte-identical PDF it received (`-k` keeps spool files).
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

IPPEVEPRINTER = "ippeveprinter"
DBUS_DAEMON = "dbus-daemon"
PRINTER_NAME = "KioskSimA4"
MAINTENANCE_JOB = "sim-maintenance"
#: How long to wait for ippeveprinter to accept connections after start.
START_TIMEOUT_SECONDS = 10.0


class SimFault(StrEnum):
    """What the fault script does with the next job."""

    COMPLETE = "complete"
    MEDIA_EMPTY = "media-empty"
    JAM = "jam"
    ABORT = "abort"
    SLOW = "slow"
    TONER_LOW = "toner-low"


FAULT_SCRIPT = r"""#!/bin/sh
# Fault script for the kiosk's simulated A4 printer: $1 is the spooled document.
control="@CONTROL@"
ledger="@LEDGER@"
mode=$(sed -n 1p "$control" 2>/dev/null)
delay=$(sed -n 2p "$control" 2>/dev/null)
[ -n "$mode" ] || mode=complete
if [ "$IPP_JOB_NAME" = "@MAINTENANCE@" ]; then
  echo "STATE: -media-jam,-cover-open" >&2
  exit 0
fi
case "$mode" in
  complete)
    echo "STATE: -media-jam,-toner-low" >&2
    echo "completed	$1" >> "$ledger"; exit 0;;
  toner-low)
    echo "STATE: +toner-low" >&2
    echo "completed	$1" >> "$ledger"; exit 0;;
  slow)
    sleep "${delay:-5}"
    echo "completed	$1" >> "$ledger"; exit 0;;
  media-empty)
    echo "STATE: +media-empty" >&2
    echo "ERROR: Out of paper." >&2
    echo "aborted	$1" >> "$ledger"; exit 1;;
  jam)
    echo "STATE: +media-jam" >&2
    echo "ERROR: Paper jam." >&2
    echo "aborted	$1" >> "$ledger"; exit 1;;
  *)
    echo "ERROR: Printer error." >&2
    echo "aborted	$1" >> "$ledger"; exit 1;;
esac
"""


@dataclass(frozen=True, slots=True)
class SpooledDocument:
    """A document the simulated printer received, and what became of it."""

    job_id: int
    outcome: str  # completed | aborted | canceled | processing
    path: Path

    @property
    def data(self) -> bytes:
        """The bytes the printer received."""
        return self.path.read_bytes()


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class DocPrinterSimulator:
    """Owns one ippeveprinter (and its D-Bus) in a temporary folder."""

    def __init__(self, port: int | None = None, root: Path | None = None,
                 spool: Path | None = None) -> None:
        """``spool``: where the printed documents are kept (default: inside ``root``, which is
        a temporary folder removed at `stop` unless given)."""
        self.port = port or free_port()
        self._own_root = root is None
        self.root = Path(tempfile.mkdtemp(prefix="kiosk-ippeve-")) if root is None else root
        self.spool = self.root / "spool" if spool is None else spool
        self.control = self.root / "fault"
        self.ledger = self.root / "ledger.tsv"
        self.script = self.root / "fault.sh"
        self.bus = self.root / "bus.sock"
        self.log_path = self.root / "ippeveprinter.log"
        self._dbus: subprocess.Popen[bytes] | None = None
        self._printer: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    @property
    def uri(self) -> str:
        """The printer's IPP URI."""
        return f"ipp://127.0.0.1:{self.port}/ipp/print"

    def start(self) -> DocPrinterSimulator:
        """Start D-Bus and the printer; wait until it answers. Raises RuntimeError if it cannot."""
        for tool in (IPPEVEPRINTER, DBUS_DAEMON):
            if shutil.which(tool) is None:
                raise RuntimeError(f"{tool} not installed (Debian: cups-ipp-utils, dbus)")
        self.spool.mkdir(parents=True, exist_ok=True)
        self.set_fault(SimFault.COMPLETE)
        self.ledger.touch()
        text = (FAULT_SCRIPT.replace("@CONTROL@", str(self.control))
                .replace("@LEDGER@", str(self.ledger)).replace("@MAINTENANCE@", MAINTENANCE_JOB))
        self.script.write_text(text, encoding="utf-8")
        self.script.chmod(0o755)
        self._dbus = subprocess.Popen(
            [DBUS_DAEMON, "--session", f"--address=unix:path={self.bus}", "--nofork",
             "--nopidfile"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self.bus.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        # The daemons run in their own session (a Ctrl-C for the kiosk is not theirs); stop them
        # when the interpreter exits even if no one called stop().
        atexit.register(self.stop)
        try:
            self.go_online()
            self.load_paper()
        except (RuntimeError, OSError):
            self.stop()
            raise
        return self

    def go_online(self) -> None:
        """Start (or restart) the printer process on the same port."""
        with self._lock:
            if self._printer is not None and self._printer.poll() is None:
                return
            env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=f"unix:path={self.bus}")
            log = self.log_path.open("ab")
            self._printer = subprocess.Popen(
                [IPPEVEPRINTER, "-r", "off", "-k", "-d", str(self.spool), "-c", str(self.script),
                 "-f", "application/pdf", "-p", str(self.port), PRINTER_NAME],
                env=env, stdout=log, stderr=log, start_new_session=True)
            log.close()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if self._printer.poll() is not None:
                    break
                time.sleep(0.05)
        raise RuntimeError(f"ippeveprinter did not start on port {self.port}; see {self.log_path}")

    def go_offline(self) -> None:
        """Stop the printer process (the port stops answering), as if unplugged."""
        with self._lock:
            proc, self._printer = self._printer, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def stop(self) -> None:
        """Stop the printer and D-Bus; remove the temporary folder. Safe to call twice."""
        atexit.unregister(self.stop)
        self.go_offline()
        if self._dbus is not None:
            self._dbus.terminate()
            try:
                self._dbus.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._dbus.kill()
                self._dbus.wait()
            self._dbus = None
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    # -- faults ---------------------------------------------------------------------------
    def set_fault(self, fault: SimFault | str, slow_seconds: float = 5.0) -> None:
        """Choose what the next jobs do (see the module docstring)."""
        mode = SimFault(fault)
        tmp = self.control.with_suffix(".tmp")
        tmp.write_text(f"{mode.value}\n{slow_seconds:g}\n", encoding="utf-8")
        os.replace(tmp, self.control)

    def _media_form(self, sheets: int) -> None:
        query = (f"size1=iso_a4_210x297mm&type1=stationery&level1={sheets}"
                 f"&size3=iso_a4_210x297mm&type3=stationery&level3={min(sheets, 25)}")
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/media?{query}",
                                    timeout=5) as answer:
            answer.read()

    def load_paper(self, sheets: int = 250) -> None:
        """Fill the trays with A4 (clears media-empty / media-needed; waiting jobs resume)."""
        self._media_form(sheets)

    def empty_tray(self) -> None:
        """Take all paper out now: the printer reports media-empty before any job."""
        self._media_form(0)

    def clear_jam(self) -> None:
        """Open the door and take the jammed sheet out (runs a maintenance cycle)."""
        from drivers.docprinter.ipptool import IppTool  # local: only this helper needs it

        tool = IppTool(self.uri)
        try:
            with tempfile.TemporaryDirectory() as folder:
                blank = Path(folder) / "blank.pdf"
                blank.write_bytes(MINIMAL_PDF)
                answer = tool.print_job(blank, MAINTENANCE_JOB, 1)
                job_id = int(answer.attributes.get("job-id", 0))
            deadline = time.monotonic() + START_TIMEOUT_SECONDS
            while job_id and time.monotonic() < deadline:
                state = tool.get_job(job_id).attributes.get("job-state")
                if state in (7, 8, 9):
                    break
                time.sleep(0.05)
        finally:
            tool.close()

    # -- what was printed -----------------------------------------------------------------
    def received_documents(self) -> list[SpooledDocument]:
        """Every document the fault script processed, in order (maintenance jobs excluded).

        The outcome is the printer's own final job state when it still knows the job (a job
        canceled while the script ran counts as canceled), else what the script recorded.
        """
        from drivers.docprinter.ipptool import IppTool  # local: only this helper needs it

        entries = []
        for line in self.ledger.read_text(encoding="utf-8").splitlines():
            outcome, _, path_text = line.partition("\t")
            path = Path(path_text)
            job_text = path.name.split("-", 1)[0]
            if job_text.isdigit():
                entries.append((int(job_text), outcome, path))
        if not entries:
            return []
        names = {7: "canceled", 8: "aborted", 9: "completed", 5: "processing", 6: "processing"}
        tool = IppTool(self.uri, request_timeout_seconds=2.0)
        docs = []
        try:
            for job_id, outcome, path in entries:
                answer = tool.get_job(job_id)
                state = answer.attributes.get("job-state") if answer.ok else None
                final = names.get(state, outcome) if isinstance(state, int) else outcome
                docs.append(SpooledDocument(job_id, final, path))
        finally:
            tool.close()
        return docs

    def printed_documents(self) -> list[SpooledDocument]:
        """Documents the printer completed (on paper)."""
        return [d for d in self.received_documents() if d.outcome == "completed"]


#: A one-page blank PDF for maintenance jobs.
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
