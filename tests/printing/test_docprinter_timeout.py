"""A job that does not finish in time is canceled and reported as timed out, never as done."""

from __future__ import annotations

from drivers.docprinter import open_document_printer
from kiosk.printing.journal import PrintKind
from kiosk.printing.messages import PrinterFault, message_for


def test_slow_job_times_out(signer, certificate) -> None:
    from kiosk.certificates.render import render_certificate

    printer = open_document_printer("sim://docprinter", job_timeout_seconds=0.5,
                                    job_poll_interval_seconds=0.05, stall_grace_seconds=5,
                                    cancel_confirm_seconds=3.0)
    printer.start(lambda event: None)
    try:
        printer.simulator.set_fault("slow", slow_seconds=1.5)
        result = printer.print_pdf(render_certificate(certificate, signer).pdf, "slow-cert")
        assert not result.ok
        assert result.state == "timed_out"
        assert result.job_id
        assert "not finished" in result.reason
        # the printer honoured the cancel: nothing comes out later in front of the next resident
        assert result.details["final_job_state"] == "canceled"
        assert printer.simulator.printed_documents() == []
        message = message_for(PrintKind.CERTIFICATE, result, printer.status(), "ABCD2345")
        assert message.fault is PrinterFault.TIMED_OUT
    finally:
        printer.stop()
