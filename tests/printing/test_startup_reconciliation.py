"""Start-up reconciliation of the print journal (kiosk/ops/recovery.py): a certificate the printer
finished is done, one the printer cannot answer for is offered again (failed, same serial), an
interrupted receipt is voided with the reason; nothing stays pending or submitted, no row is
dropped, and prints recorded after the start are not touched."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from kiosk.certificates.payload import certificate_digest
from kiosk.certificates.render import render_certificate
from kiosk.ops.recovery import INTERRUPTED_CERTIFICATE, INTERRUPTED_RECEIPT, settle_prints
from kiosk.printing.journal import PrintJournal, PrintKind, PrintState
from kiosk.printing.service import PrintService
from tests.printing.conftest import make_certificate


def test_interrupted_prints_are_settled(tmp_path: Path, docprinter, signer) -> None:
    journal = PrintJournal(tmp_path / "prints.sqlite3")
    printed = make_certificate(serial="SB-S-1")
    entry = journal.record(PrintKind.CERTIFICATE, "c1", serial=printed.serial,
                           digest=certificate_digest(printed).hex())
    journal.start_attempt(entry.id)
    job = docprinter.print_pdf(render_certificate(printed, signer).pdf, "cert")
    journal.mark_submitted(entry.id, job.job_id)  # then the kiosk died
    lost = journal.record(PrintKind.CERTIFICATE, "c2", serial="SB-S-2", digest="d")
    journal.start_attempt(lost.id)  # died before the printer took it
    receipt = journal.record(PrintKind.RECEIPT, "c3", digest="r")
    journal.start_attempt(receipt.id)
    done_before = journal.record(PrintKind.RECEIPT, "c4", digest="r2")
    journal.finish(done_before.id, ok=True)

    service = PrintService(journal, docprinter, None, signer)
    printing = SimpleNamespace(journal=journal, reconcile=service.reconcile)
    settled, offered, voided = settle_prints(printing)

    assert (settled, offered, voided) == (1, 1, 1)
    assert journal.get(entry.id).state is PrintState.DONE
    assert journal.get(lost.id).state is PrintState.FAILED
    assert journal.get(lost.id).reason == INTERRUPTED_CERTIFICATE
    assert [e.id for e in journal.pending_reprints()] == [lost.id]  # offered again
    assert journal.get(receipt.id).state is PrintState.VOIDED
    assert journal.get(receipt.id).reason == INTERRUPTED_RECEIPT
    assert len(journal.entries()) == 4
    assert not [e for e in journal.entries()
                if e.state in (PrintState.PENDING, PrintState.SUBMITTED)]
    assert settle_prints(printing) == (0, 0, 0)  # idempotent
    again = service.print_certificate(printed, "c1")
    assert again.ok and again.result.reason == "already printed"  # never printed twice
    journal.close()
