"""A certificate printed on a real ippeveprinter: completed, the PDF received byte-identical,
rendered like the golden image, Chinese text intact, and the journal says done."""

from __future__ import annotations

from pathlib import Path

from drivers.status import DeviceState, SupplyState
from kiosk.certificates.render import render_certificate
from kiosk.printing.journal import PrintState
from kiosk.printing.service import PrintService
from tests.printing.conftest import assert_matches_golden, pdf_text, render_png


def test_certificate_printed_and_journaled(tmp_path: Path, docprinter, journal, signer,
                                           certificate, events) -> None:
    service = PrintService(journal, docprinter, None, signer, specimen=True)
    outcome = service.print_certificate(certificate, "case-1")

    assert outcome.ok and outcome.message is None
    assert outcome.result.state == "completed" and outcome.result.job_id
    entry = journal.get(outcome.entry.id)
    assert entry.state is PrintState.DONE and entry.attempts == 1
    assert entry.job_id == outcome.result.job_id and entry.serial == certificate.serial
    assert journal.pending_reprints() == []

    printed = docprinter.simulator.printed_documents()
    assert [d.job_id for d in printed] == [int(outcome.result.job_id)]
    expected = render_certificate(certificate, signer, specimen=True).pdf
    assert printed[0].data == expected  # byte-identical in the printer's spool

    received = tmp_path / "received.pdf"
    received.write_bytes(printed[0].data)
    assert "社会保险参保缴费证明" in pdf_text(received)
    (png,) = render_png(received, tmp_path / "received")
    assert_matches_golden(png, "certificate_social_insurance.png")

    status = docprinter.status()
    assert status.state in (DeviceState.READY, DeviceState.BUSY)
    assert status.supplies is SupplyState.OK
    assert any(e.kind == "status" for e in events)


def test_printing_the_same_certificate_again_does_not_print_twice(docprinter, journal, signer,
                                                                  certificate) -> None:
    service = PrintService(journal, docprinter, None, signer)
    first = service.print_certificate(certificate, "case-1")
    second = service.print_certificate(certificate, "case-1")
    assert first.ok and second.ok
    assert second.result.reason == "already printed"
    assert len(docprinter.simulator.printed_documents()) == 1
    assert len(journal.entries()) == 1


def test_toner_low_still_prints_and_reports_low(docprinter, signer, certificate) -> None:
    docprinter.simulator.set_fault("toner-low")
    result = docprinter.print_pdf(render_certificate(certificate, signer).pdf, "cert")
    assert result.ok
    assert docprinter.status().supplies is SupplyState.LOW
    assert "toner-low" in docprinter.status().reason
