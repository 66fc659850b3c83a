"""Paper out before the receipt: refused on the status read, nothing sent, reprint offered."""

from __future__ import annotations

from drivers.status import SupplyState
from flows.documents import ReceiptDocument
from kiosk.printing.journal import PrintState
from kiosk.printing.messages import NextStep, PrinterFault
from kiosk.printing.service import PrintService


def test_paper_out_before_printing(receipt_printer, journal, signer, events) -> None:
    sim = receipt_printer.simulator
    sim.set_paper("out")
    outcome = PrintService(journal, None, receipt_printer, signer).print_receipt(
        ReceiptDocument("政务服务回执", (("业务", "社保缴费证明"),)), "case-4")

    assert not outcome.ok and outcome.result.state == "refused"
    assert outcome.result.details["status_before"].supplies is SupplyState.OUT
    assert sim.captured() == b"" and sim.lost_bytes() == 0  # nothing was sent
    entry = journal.get(outcome.entry.id)
    assert entry.state is PrintState.FAILED
    assert journal.pending_reprints() == [entry]
    assert outcome.message is not None and outcome.message.fault is PrinterFault.PAPER_OUT
    assert outcome.message.title == "打印机缺纸"
    assert outcome.message.next_steps == (NextStep.RETRY_LATER_HERE, NextStep.COLLECT_AT_WINDOW)
    assert any(e.payload.supplies is SupplyState.OUT for e in events)
