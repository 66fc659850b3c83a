"""A receipt printed on the loopback ESC/POS printer: the text and QR payload actually printed,
status read before and after, and the journal says done."""

from __future__ import annotations

from drivers.status import SupplyState
from flows.documents import ReceiptDocument
from kiosk.printing.journal import PrintState
from kiosk.printing.service import PrintService
from tests.printing.escpos_decode import decode

RECEIPT = ReceiptDocument(
    title="政务服务回执",
    lines=(("业务", "社保缴费证明打印"), ("证明编号", "SB2026112100017"),
           ("时间", "2026-11-21 10:32")),
    notes=("请妥善保管本回执。",),
    qr="https://zwfw.example.gov.cn/r/SB2026112100017",
    footer="感谢您的使用",
)


def test_receipt_text_and_qr_are_printed(receipt_printer, journal, signer) -> None:
    service = PrintService(journal, None, receipt_printer, signer)
    outcome = service.print_receipt(RECEIPT, "case-3", reprint_code="K7M2Q9XH")

    assert outcome.ok, outcome.result
    details = outcome.result.details
    assert details["status_before"].supplies is SupplyState.OK
    assert details["status_after"].supplies is SupplyState.OK
    assert journal.get(outcome.entry.id).state is PrintState.DONE

    decoded = decode(receipt_printer.simulator.captured())
    text = decoded.text
    assert decoded.lines[0].text == "政务服务回执" and decoded.lines[0].align == 1
    for expected in ("社保缴费证明打印", "SB2026112100017", "2026-11-21 10:32", "打印码",
                     "K7M2Q9XH", "请妥善保管本回执。", "感谢您的使用"):
        assert expected in text, expected
    assert decoded.qr_payloads == ["https://zwfw.example.gov.cn/r/SB2026112100017"]
    assert decoded.cuts == 1
    assert decoded.status_requests == []  # status requests are answered, not printed


def test_near_end_prints_and_warns(receipt_printer) -> None:
    from kiosk.printing.receipts import receipt_from_document

    receipt_printer.simulator.set_paper("near_end")
    result = receipt_printer.print_receipt(receipt_from_document(RECEIPT))
    assert result.ok
    assert result.details["status_after"].supplies is SupplyState.LOW
    assert receipt_printer.status().supplies is SupplyState.LOW
    assert "政务服务回执" in decode(receipt_printer.simulator.captured()).text
