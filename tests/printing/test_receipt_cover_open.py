"""Cover open or cutter error: refused before printing, with the right resident message."""

from __future__ import annotations

from drivers.status import DeviceState, SupplyState
from flows.documents import ReceiptDocument
from kiosk.printing.journal import PrintKind
from kiosk.printing.messages import PrinterFault, message_for
from kiosk.printing.receipts import receipt_from_document

DOC = ReceiptDocument("政务服务回执", (("业务", "查询"),))


def test_cover_open_refuses(receipt_printer) -> None:
    receipt_printer.simulator.set_cover_open(True)
    result = receipt_printer.print_receipt(receipt_from_document(DOC))
    assert not result.ok and result.state == "refused"
    assert receipt_printer.status().supplies is SupplyState.COVER_OPEN
    message = message_for(PrintKind.RECEIPT, result, receipt_printer.status(), "ABCDEFGH")
    assert message.fault is PrinterFault.COVER_OPEN
    assert receipt_printer.simulator.captured() == b""
    receipt_printer.simulator.set_cover_open(False)
    assert receipt_printer.print_receipt(receipt_from_document(DOC)).ok


def test_cutter_error_refuses(receipt_printer) -> None:
    receipt_printer.simulator.set_cutter_error(True)
    result = receipt_printer.print_receipt(receipt_from_document(DOC))
    assert not result.ok and result.state == "refused"
    assert receipt_printer.status().state is DeviceState.ERROR
    assert "cutter" in receipt_printer.status().reason
