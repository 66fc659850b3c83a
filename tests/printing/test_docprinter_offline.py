"""The printer goes away: status offline (published once), print refused, back when it returns."""

from __future__ import annotations

from drivers.status import DeviceState
from kiosk.printing.messages import PrinterFault
from kiosk.printing.service import PrintService


def test_offline_printer_refuses_and_recovers(docprinter, journal, signer, certificate,
                                              events) -> None:
    sim = docprinter.simulator
    sim.go_offline()
    assert docprinter.refresh_status().state is DeviceState.OFFLINE
    docprinter.refresh_status()
    offline_events = [e for e in events if e.payload.state is DeviceState.OFFLINE]
    assert len(offline_events) == 1  # only changes are published

    outcome = PrintService(journal, docprinter, None, signer).print_certificate(certificate, "c")
    assert not outcome.ok and outcome.result.state == "refused"
    assert outcome.message is not None and outcome.message.fault is PrinterFault.OFFLINE
    assert outcome.message.title == "打印机暂时无法使用"

    sim.go_online()
    assert docprinter.refresh_status().state is DeviceState.READY
    again = PrintService(journal, docprinter, None, signer).reprint(outcome.entry.id, certificate)
    assert again.ok
