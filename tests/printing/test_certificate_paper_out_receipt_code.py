"""The whole story of a paper-out: the certificate fails mid-print, the receipt printer prints a
receipt carrying the reprint code, the resident comes back with it, and the certificate prints
under its original serial."""

from __future__ import annotations

from flows.documents import ReceiptDocument
from kiosk.printing.journal import PrintKind, PrintState
from kiosk.printing.service import PrintService
from tests.printing.escpos_decode import decode


def test_reprint_with_the_code_from_the_receipt(docprinter, receipt_printer, journal, signer,
                                                certificate) -> None:
    service = PrintService(journal, docprinter, receipt_printer, signer)
    docprinter.simulator.set_fault("media-empty")

    failed = service.print_certificate(certificate, "case-11")
    assert not failed.ok and failed.message is not None
    code = failed.entry.reprint_code

    receipt = service.print_receipt(
        ReceiptDocument("证明未能打印", (("证明编号", certificate.serial),),
                        notes=tuple(failed.message.steps_text())),
        "case-11", reprint_code=code)
    assert receipt.ok
    printed = decode(receipt_printer.simulator.captured()).text
    assert code in printed and certificate.serial in printed
    assert "证明补打" in printed

    # Later: paper loaded; the resident types the code from the receipt.
    docprinter.simulator.set_fault("complete")
    docprinter.simulator.load_paper()
    entry = journal.by_reprint_code(code)
    assert entry is not None and entry.kind is PrintKind.CERTIFICATE
    assert entry.id in [e.id for e in journal.pending_reprints()]
    done = service.reprint(entry.id, certificate)
    assert done.ok
    assert journal.get(entry.id).state is PrintState.DONE
    assert journal.by_serial(certificate.serial).attempts == 2
    assert len(docprinter.simulator.printed_documents()) == 1
