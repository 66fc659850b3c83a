"""A receipt printer that never answers DLE EOT (a one-way link, a clone without status): its
paper state is unknown (not ok), it still gets the receipt's bytes, but the print is not
reported as printed: `PrintResult.ok` means the device confirmed it (drivers.interfaces), so
the result is ``unconfirmed`` and the print journal keeps the receipt offered again."""

from __future__ import annotations

from drivers.receipt import open_receipt_printer
from drivers.status import DeviceState, SupplyState
from flows.documents import ReceiptDocument
from kiosk.printing.journal import PrintState
from kiosk.printing.receipts import receipt_from_document
from kiosk.printing.service import PrintService
from tests.printing.escpos_decode import decode


def test_a_silent_printer_gets_the_bytes_but_the_print_is_unconfirmed() -> None:
    printer = open_receipt_printer("sim://receipt", status_timeout_seconds=0.2)
    printer.simulator.answer_status = False
    printer.start(lambda event: None)
    try:
        status = printer.status()
        assert status.state is DeviceState.READY
        assert status.supplies is SupplyState.UNKNOWN
        receipt = receipt_from_document(ReceiptDocument("回执", (("a", "b"),)))
        result = printer.print_receipt(receipt)
        assert not result.ok
        assert result.state == "unconfirmed" and "cannot be confirmed" in result.reason
        assert "回执" in decode(printer.simulator.captured()).text
    finally:
        printer.stop()


def test_the_kiosk_does_not_record_an_unconfirmed_receipt_as_printed(journal, signer) -> None:
    printer = open_receipt_printer("sim://receipt", status_timeout_seconds=0.2)
    printer.simulator.answer_status = False
    printer.start(lambda event: None)
    try:
        outcome = PrintService(journal, None, printer, signer).print_receipt(
            ReceiptDocument("受理回执", (("受理编号", "A1"),)), "case-1")
    finally:
        printer.stop()
    assert not outcome.ok
    assert outcome.message is not None  # a plain message, with the next steps
    assert journal.get(outcome.entry.id).state is not PrintState.DONE


def test_an_answering_printer_still_confirms() -> None:
    printer = open_receipt_printer("sim://receipt", status_timeout_seconds=0.2)
    printer.start(lambda event: None)
    try:
        result = printer.print_receipt(receipt_from_document(ReceiptDocument("回执")))
        assert result.ok and result.state == "completed"
    finally:
        printer.stop()


def test_printer_gone() -> None:
    printer = open_receipt_printer("sim://receipt", status_timeout_seconds=0.2, timeout=0.5)
    printer.start(lambda event: None)
    try:
        printer.simulator.stop()
        printer.transport.close()
        status = printer.refresh_status()
        assert status.state is DeviceState.NO_DEVICE
        result = printer.print_receipt(receipt_from_document(ReceiptDocument("回执")))
        assert not result.ok and result.state == "refused"
    finally:
        printer.stop()
