"""A paper jam aborts the job; the printer reports jammed until the jam is cleared."""

from __future__ import annotations

from drivers.status import SupplyState
from kiosk.printing.journal import PrintState
from kiosk.printing.messages import PrinterFault
from kiosk.printing.service import PrintService


def test_jam_aborts_and_blocks_until_cleared(docprinter, journal, signer, certificate) -> None:
    sim = docprinter.simulator
    service = PrintService(journal, docprinter, None, signer)
    sim.set_fault("jam")

    outcome = service.print_certificate(certificate, "case-9")

    assert not outcome.ok and outcome.result.state == "aborted"
    assert docprinter.status().supplies is SupplyState.JAMMED
    assert not docprinter.status().usable
    assert outcome.message is not None and outcome.message.fault is PrinterFault.JAMMED
    assert outcome.message.title == "打印机卡纸"
    assert journal.get(outcome.entry.id).state is PrintState.FAILED
    assert sim.printed_documents() == []

    sim.set_fault("complete")
    again = service.reprint(outcome.entry.id, certificate)
    assert again.result.state == "refused"  # still jammed: nothing sent

    sim.clear_jam()
    assert docprinter.refresh_status().supplies is SupplyState.OK
    done = service.reprint(outcome.entry.id, certificate)
    assert done.ok and journal.get(outcome.entry.id).state is PrintState.DONE
    assert len(sim.printed_documents()) == 1
