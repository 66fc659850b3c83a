"""Resident-facing messages for each printer fault: Chinese, honest, with next steps."""

from __future__ import annotations

import pytest

from drivers.interfaces import PrintResult
from drivers.status import DeviceState, DeviceStatus, SupplyState
from kiosk.printing.journal import PrintKind
from kiosk.printing.messages import NextStep, PrinterFault, classify, message_for

CASES = [
    (PrintResult(False, "", "refused"), DeviceStatus(DeviceState.READY, "media-empty",
                                                     SupplyState.OUT), PrinterFault.PAPER_OUT),
    (PrintResult(False, "3", "aborted", "Out of paper."),
     DeviceStatus(DeviceState.READY, "media-empty", SupplyState.OUT),
     PrinterFault.PAPER_OUT_MID_PRINT),
    (PrintResult(False, "3", "aborted"), DeviceStatus(DeviceState.READY, "media-jam",
                                                      SupplyState.JAMMED), PrinterFault.JAMMED),
    (PrintResult(False, "", "refused"), DeviceStatus(DeviceState.READY, "cover open",
                                                     SupplyState.COVER_OPEN),
     PrinterFault.COVER_OPEN),
    (PrintResult(False, "", "refused", "no answer"), DeviceStatus(DeviceState.OFFLINE, "x"),
     PrinterFault.OFFLINE),
    (PrintResult(False, "", "refused"), DeviceStatus(DeviceState.READY, "toner-empty",
                                                     SupplyState.OUT), PrinterFault.TONER_OUT),
    (PrintResult(False, "5", "timed_out"), DeviceStatus(DeviceState.BUSY), PrinterFault.TIMED_OUT),
    (PrintResult(False, "5", "aborted", "Printer error."), DeviceStatus(DeviceState.READY),
     PrinterFault.FAILED),
]


@pytest.mark.parametrize(("result", "status", "fault"), CASES)
def test_every_fault_has_a_chinese_message(result, status, fault) -> None:
    assert classify(result, status) is fault
    for kind in PrintKind:
        message = message_for(kind, result, status, "K7M2Q9XH")
        assert message.fault is fault
        text = message.full_text()
        assert any("\u4e00" <= ch <= "\u9fff" for ch in message.title)
        assert "不会丢失" in text
        assert "K7M2Q9XH" in text
        assert "Printer" not in text and "media" not in text  # no technician wording
        assert NextStep.COLLECT_AT_WINDOW in message.next_steps


def test_certificate_faults_offer_another_terminal() -> None:
    result, status, _ = CASES[0]
    message = message_for(PrintKind.CERTIFICATE, result, status, "K7M2Q9XH")
    assert message.next_steps[0] is NextStep.OTHER_TERMINAL
    assert "任一自助终端" in message.full_text() and "证明补打" in message.full_text()
    assert "证明编号不变" in message.full_text()


def test_without_a_code_the_window_step_quotes_none() -> None:
    result, status, _ = CASES[2]
    message = message_for(PrintKind.CERTIFICATE, result, status, "")
    assert message.steps_text() == ["到服务大厅窗口出示身份证领取纸质件"]


def test_without_a_code_only_the_window_is_offered() -> None:
    result, status, _ = CASES[2]
    message = message_for(PrintKind.CERTIFICATE, result, status, "")
    assert message.next_steps == (NextStep.COLLECT_AT_WINDOW,)
