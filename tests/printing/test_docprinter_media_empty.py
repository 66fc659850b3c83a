"""Paper runs out: mid-job (job aborted, reprint offered, same serial) and before a job
(refused, nothing sent); loading paper lets the reprint finish, one document per serial."""

from __future__ import annotations

from drivers.status import SupplyState
from kiosk.printing.journal import PrintState
from kiosk.printing.messages import NextStep, PrinterFault
from kiosk.printing.service import PrintService


def test_paper_out_mid_job_then_reprint(docprinter, journal, signer, certificate) -> None:
    sim = docprinter.simulator
    service = PrintService(journal, docprinter, None, signer)
    sim.set_fault("media-empty")

    failed = service.print_certificate(certificate, "case-7")

    assert not failed.ok
    assert failed.result.state == "aborted" and failed.result.job_id
    assert docprinter.status().supplies is SupplyState.OUT
    entry = journal.get(failed.entry.id)
    assert entry.state is PrintState.FAILED and entry.attempts == 1
    assert "Out of paper" in entry.reason
    assert [e.id for e in journal.pending_reprints()] == [entry.id]
    assert sim.printed_documents() == []
    assert [d.outcome for d in sim.received_documents()] == ["aborted"]
    message = failed.message
    assert message is not None and message.fault is PrinterFault.PAPER_OUT_MID_PRINT
    assert message.title == "打印中途缺纸"
    assert entry.reprint_code in message.full_text()
    assert NextStep.OTHER_TERMINAL in message.next_steps

    # Still out of paper: the reprint is refused before anything is sent.
    sim.set_fault("complete")
    refused = service.reprint(entry.id, certificate)
    assert not refused.ok and refused.result.state == "refused" and not refused.result.job_id
    assert len(sim.received_documents()) == 1

    sim.load_paper()
    done = service.reprint(entry.id, certificate)
    assert done.ok
    entry = journal.get(entry.id)
    assert entry.state is PrintState.DONE and entry.attempts == 3
    assert entry.serial == certificate.serial
    assert len(journal.entries()) == 1  # one row, one serial
    assert len(sim.printed_documents()) == 1
    assert journal.pending_reprints() == []


def test_tray_empty_before_printing_refuses_without_sending(docprinter, journal, signer,
                                                            certificate) -> None:
    sim = docprinter.simulator
    sim.empty_tray()
    assert docprinter.refresh_status().supplies is SupplyState.OUT
    outcome = PrintService(journal, docprinter, None, signer).print_certificate(certificate, "c")
    assert not outcome.ok and outcome.result.state == "refused"
    assert sim.received_documents() == []
    assert outcome.message is not None and outcome.message.fault is PrinterFault.PAPER_OUT
    assert journal.get(outcome.entry.id).state is PrintState.FAILED
