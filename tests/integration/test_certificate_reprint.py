"""证明补打 end to end in the sandbox: a certificate whose print failed (paper out) is printed
again by the same resident, under the same serial, with the same content; the print journal
keeps one row for the serial (attempts count up) and nobody else can have it reissued."""

from __future__ import annotations

import time

import pytest

from flows.headless import drive, intent_for
from flows.views import Intent, StepKind
from kiosk.adapters.identity import PlatformVerifier
from kiosk.platform.errors import ErrorKind, PlatformError
from kiosk.printing.journal import PrintState
from tests.integration.conftest import Terminal, assert_rated

#: Bound for the simulated printer's status to reach the hub after paper is loaded.
PRINTER_READY_SECONDS = 45.0


def _flat(text: str) -> str:
    return "".join(text.split())


def _print_fails_with_paper_out(terminal: Terminal, key: str) -> str:
    """Run 社保缴费证明打印 with the paper running out mid-job; return the serial issued."""
    sim = terminal.parts.hub.simulator("document_printer")
    sim.set_fault("media-empty")
    session = terminal.session_for(key)
    run = terminal.parts.catalogue.start("social-insurance-certificate", {"session": session})
    view = run.view()
    while view.kind is not StepKind.PRINT_CERTIFICATE:
        view = run.send(intent_for(view, {}, run))
    view = run.send(Intent("print"))
    assert view.outcome == "failed", view.error
    assert "证明补打" in view.error and "证明编号不变" in view.error
    serial = view.reference
    views = [run.send(Intent("cancel"))]
    views += drive(run, {})
    assert views[-1].kind is StepKind.DONE
    terminal.parts.lifecycle.end("finished")
    # the technician loads paper
    sim.set_fault("complete")
    sim.load_paper()
    deadline = time.monotonic() + PRINTER_READY_SECONDS
    while not terminal.parts.hub.usable("document_printer"):
        assert time.monotonic() < deadline, "the printer did not come back"
        time.sleep(0.05)
    return serial


def _token(terminal: Terminal, key: str) -> str:
    token, _ = PlatformVerifier(terminal.parts.client).verify("idcard", terminal.identity(key))
    return token


def test_certificate_reprint_after_paper_out_prints_the_same_serial(terminal: Terminal) -> None:
    journal = terminal.parts.printing.journal
    serial = _print_fails_with_paper_out(terminal, "worker")
    failed = journal.by_serial(serial)
    assert failed is not None and failed.state is PrintState.FAILED and failed.attempts == 1

    # someone else can neither see nor reissue it
    other = _token(terminal, "mother")
    assert serial not in [c.serial for c in terminal.parts.client.issued_certificates(other)]
    with pytest.raises(PlatformError) as refused:
        terminal.parts.client.reissue_certificate(serial, other)
    assert refused.value.kind is ErrorKind.NOT_FOUND and refused.value.status == 404
    assert "未查询到" in refused.value.message

    # the resident lists their certificates: newest first, the failed one on top
    listed = terminal.parts.client.issued_certificates(_token(terminal, "worker"))
    assert listed[0].serial == serial and listed[0].title == "社会保险参保缴费证明"

    s = terminal.run("certificate-reprint", "worker", {"serial": serial})
    assert s.done and s.run.record.serials == [serial]
    [pdf] = s.certificates
    text = _flat(pdf)
    assert serial in text and "社会保险参保缴费证明" in text
    assert "本证明可通过扫描二维码验证真伪" in text  # what the issuing service added, kept
    assert text.count(f"公民身份号码：{s.resident.id_number}") == 1
    entry = journal.by_serial(serial)
    assert entry is not None and entry.id == failed.id and entry.digest == failed.digest
    assert entry.state is PrintState.DONE and entry.attempts == 2
    assert [e.id for e in journal.entries() if e.serial == serial] == [failed.id]
    assert terminal.certificate_check(serial)["valid"] is True
    assert_rated(terminal, s)


def test_certificate_reprint_of_someone_elses_serial_is_refused(terminal: Terminal) -> None:
    serial = terminal.run("tax-payment", "business_owner").run.record.serials[0]
    session = terminal.session_for("spouse_of_owner")
    run = terminal.parts.catalogue.start("certificate-reprint", {"session": session})
    view = run.send(Intent("identified"))
    assert view.kind is StepKind.RECORDS and view.extra["selectable"]
    assert serial not in [o.value for o in view.options]  # not offered
    view = run.send(Intent("choose", serial))  # nor taken when typed or scanned
    assert view.kind is StepKind.RECORDS and view.error
    assert view.options == () and view.body == "没有查询到记录"  # none of their own
    views = [run.send(Intent("cancel")), *drive(run, {})]
    assert views[-1].kind is StepKind.DONE and run.record.serials == []
    terminal.parts.lifecycle.end("finished")
    with pytest.raises(PlatformError) as refused:
        terminal.parts.client.reissue_certificate(serial, _token(terminal, "spouse_of_owner"))
    assert refused.value.kind is ErrorKind.NOT_FOUND
