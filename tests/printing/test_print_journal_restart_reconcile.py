"""After a crash between "the printer took the job" and "the journal heard the outcome", the
restart asks the printer: a completed job is recorded done (not printed twice), an aborted one
failed (offered for reprint)."""

from __future__ import annotations

from kiosk.certificates.payload import certificate_digest
from kiosk.certificates.render import render_certificate
from kiosk.printing.journal import PrintJournal, PrintKind, PrintState
from kiosk.printing.service import PrintService
from tests.printing.conftest import make_certificate


def _crash_after_submit(journal: PrintJournal, printer, signer, doc) -> int:
    """Everything the service does up to the outcome, then the kiosk 'dies'."""
    entry = journal.record(PrintKind.CERTIFICATE, "case-r", serial=doc.serial,
                           digest=certificate_digest(doc).hex())
    journal.start_attempt(entry.id)
    result = printer.print_pdf(render_certificate(doc, signer).pdf, "cert")
    journal.mark_submitted(entry.id, result.job_id)
    return entry.id


def test_restart_settles_submitted_jobs_from_the_printer(docprinter, journal, signer) -> None:
    printed = make_certificate(serial="SB-R-1")
    failed = make_certificate(serial="SB-R-2")
    first = _crash_after_submit(journal, docprinter, signer, printed)
    docprinter.simulator.set_fault("abort")
    second = _crash_after_submit(journal, docprinter, signer, failed)
    assert {e.id for e in journal.pending_reprints()} == {first, second}

    service = PrintService(journal, docprinter, None, signer)
    changed = service.reconcile()

    assert {e.id for e in changed} == {first, second}
    assert journal.get(first).state is PrintState.DONE
    assert journal.get(second).state is PrintState.FAILED
    assert "after restart" in journal.get(second).reason
    assert [e.id for e in journal.pending_reprints()] == [second]
    # the completed certificate is not printed again
    again = service.print_certificate(printed, "case-r")
    assert again.ok and again.result.reason == "already printed"
    assert len(docprinter.simulator.printed_documents()) == 1


def test_unknown_job_stays_offered(docprinter, journal, signer) -> None:
    doc = make_certificate(serial="SB-R-3")
    entry = journal.record(PrintKind.CERTIFICATE, "c", serial=doc.serial, digest="x")
    journal.start_attempt(entry.id)
    journal.mark_submitted(entry.id, "999")  # a job the printer never had
    assert PrintService(journal, docprinter, None, signer).reconcile() == []
    assert journal.get(entry.id).state is PrintState.SUBMITTED
    assert journal.pending_reprints()[0].interrupted
