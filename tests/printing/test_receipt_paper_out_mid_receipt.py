"""Paper runs out in the middle of a receipt: the status after printing catches it, the result
is aborted (never done), the journal offers a reprint, and the decoded bytes show the cut-off."""

from __future__ import annotations

from drivers.status import SupplyState
from flows.documents import ReceiptDocument
from kiosk.printing.journal import PrintState
from kiosk.printing.messages import PrinterFault
from kiosk.printing.service import PrintService
from tests.printing.escpos_decode import decode

DOC = ReceiptDocument("政务服务回执", (("业务", "社保缴费证明"), ("证明编号", "SB2026112100017")),
                      qr="ZWC1:QRPAYLOAD")


def test_paper_out_mid_receipt(receipt_printer, journal, signer) -> None:
    sim = receipt_printer.simulator
    sim.run_out_after(40)
    service = PrintService(journal, None, receipt_printer, signer)

    outcome = service.print_receipt(DOC, "case-5")

    assert not outcome.ok and outcome.result.state == "aborted"
    assert outcome.result.details["status_before"].supplies is SupplyState.OK
    assert outcome.result.details["status_after"].supplies is SupplyState.OUT
    assert sim.lost_bytes() > 0
    printed = sim.captured()
    assert len(printed) == 40
    assert b"1Q0" not in printed  # the QR code never printed
    entry = journal.get(outcome.entry.id)
    assert entry.state is PrintState.FAILED and entry.attempts == 1
    assert journal.pending_reprints() == [entry]
    assert outcome.message is not None
    assert outcome.message.fault is PrinterFault.PAPER_OUT_MID_PRINT

    # Paper loaded: the next receipt prints in full.
    sim.set_paper("ok")
    sim.clear()
    again = service.print_receipt(DOC, "case-5")
    assert again.ok
    decoded = decode(sim.captured())
    assert "SB2026112100017" in decoded.text and decoded.qr_payloads == ["ZWC1:QRPAYLOAD"]
