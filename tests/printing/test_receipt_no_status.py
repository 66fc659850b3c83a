"""A printer that never answers DLE EOT: paper state unknown (not ok), receipts still print."""

from __future__ import annotations

from drivers.receipt import open_receipt_printer
from drivers.status import DeviceState, SupplyState
from flows.documents import ReceiptDocument
from kiosk.printing.receipts import receipt_from_document
from tests.printing.escpos_decode import decode


def test_silent_printer_prints_with_unknown_supplies() -> None:
    printer = open_receipt_printer("sim://receipt", status_timeout_seconds=0.2)
    printer.simulator.answer_status = False
    printer.start(lambda event: None)
    try:
        status = printer.status()
        assert status.state is DeviceState.READY
        assert status.supplies is SupplyState.UNKNOWN
        receipt = receipt_from_document(ReceiptDocument("回执", (("a", "b"),)))
        result = printer.print_receipt(receipt)
        assert result.ok
        assert "回执" in decode(printer.simulator.captured()).text
    finally:
        printer.stop()


def test_printer_gone(tmp_path) -> None:
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
