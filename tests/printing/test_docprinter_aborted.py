"""The printer aborts the job: never reported done, journal failed, reprint offered."""

from __future__ import annotations

from kiosk.certificates.render import render_certificate
from kiosk.printing.journal import PrintState
from kiosk.printing.messages import PrinterFault
from kiosk.printing.service import PrintService


def test_aborted_job_is_not_done(docprinter, journal, signer, certificate) -> None:
    docprinter.simulator.set_fault("abort")
    outcome = PrintService(journal, docprinter, None, signer).print_certificate(certificate, "c")
    assert not outcome.ok
    assert outcome.result.state == "aborted"
    assert "Printer error" in outcome.result.reason
    entry = journal.get(outcome.entry.id)
    assert entry.state is PrintState.FAILED and entry.job_id == outcome.result.job_id
    assert journal.pending_reprints() == [entry]
    assert outcome.message is not None and outcome.message.fault is PrinterFault.FAILED
    assert docprinter.simulator.printed_documents() == []
    # what the printer did receive was the certificate, byte for byte
    (received,) = docprinter.simulator.received_documents()
    assert received.data == render_certificate(certificate, signer).pdf
