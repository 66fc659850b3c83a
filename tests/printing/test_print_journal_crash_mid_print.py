"""The kiosk is killed mid-print (after the printer took the job): on restart the journal offers
the certificate for reprint under the same serial, and the reprint is recorded on the same row."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from kiosk.printing.journal import PrintJournal, PrintKind, PrintState

ROOT = Path(__file__).resolve().parents[2]


def test_kill_after_submit_leaves_a_reprint_offer(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    script = textwrap.dedent(f"""
        import os, signal
        from kiosk.printing.journal import PrintJournal, PrintKind
        j = PrintJournal(__import__("pathlib").Path({str(path)!r}))
        e = j.record(PrintKind.CERTIFICATE, "case-k", serial="SK1", digest="dk")
        j.start_attempt(e.id)
        j.mark_submitted(e.id, "17")
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=60)
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()

    journal = PrintJournal(path)
    try:
        (offer,) = journal.pending_reprints()
        assert offer.serial == "SK1" and offer.state is PrintState.SUBMITTED
        assert offer.interrupted and offer.job_id == "17" and offer.attempts == 1
        again = journal.record(PrintKind.CERTIFICATE, "case-k", serial="SK1", digest="dk")
        assert again.id == offer.id
        journal.start_attempt(again.id)
        journal.finish(again.id, ok=True, job_id="18")
        assert journal.get(offer.id).attempts == 2
        assert journal.pending_reprints() == []
    finally:
        journal.close()
