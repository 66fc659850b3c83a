"""Resident-facing messages for every printer fault, and what happens next, in the UI's
languages (gettext msgids in Simplified Chinese; kiosk.i18n).

`message_for(kind, result, status)` picks the fault from the driver's `PrintResult` and the
printer's `DeviceStatus` (drivers report states and reasons, never resident text); the message
says plainly what went wrong, that nothing is lost, and the next steps: for a certificate, 证明补打
at any terminal (the platform reissues the same serial and content) or collecting it at the
window with the print code; for a receipt, doing it again here later or the window.
`ResidentMessage.in_locale(locale)` gives the same message in another language.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from drivers.interfaces import PrintResult
from drivers.status import DeviceState, DeviceStatus, SupplyState
from kiosk.i18n import DEFAULT_LOCALE, N_, translate
from kiosk.printing.journal import PrintKind


class PrinterFault(StrEnum):
    """Faults a resident may meet at the printer."""

    PAPER_OUT = "paper_out"
    PAPER_OUT_MID_PRINT = "paper_out_mid_print"
    JAMMED = "jammed"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    TONER_OUT = "toner_out"
    TIMED_OUT = "timed_out"
    FAILED = "failed"


class NextStep(StrEnum):
    """What the resident can do next."""

    OTHER_TERMINAL = "other_terminal"
    COLLECT_AT_WINDOW = "collect_at_window"
    REPRINT_LATER_HERE = "reprint_later_here"
    RETRY_LATER_HERE = "retry_later_here"


#: What each next step says. A certificate is kept by the platform under its serial, so the
#: 证明补打 service prints it again at any terminal; the window finds it by the print code.
NEXT_STEP_TEXT = {
    NextStep.OTHER_TERMINAL: N_("到任一自助终端，刷身份证后选择“证明补打”重新打印，证明编号不变"),
    NextStep.COLLECT_AT_WINDOW: N_("到服务大厅窗口出示身份证领取纸质件（打印码 {code}）"),
    NextStep.REPRINT_LATER_HERE: N_("稍后回到本机，刷身份证后选择“证明补打”重新打印"),
    NextStep.RETRY_LATER_HERE: N_("稍后在本机重新办理并打印"),
}
#: The window step when there is no print code to quote.
COLLECT_AT_WINDOW_NO_CODE = N_("到服务大厅窗口出示身份证领取纸质件")

_TITLES = {
    PrinterFault.PAPER_OUT: N_("打印机缺纸"),
    PrinterFault.PAPER_OUT_MID_PRINT: N_("打印中途缺纸"),
    PrinterFault.JAMMED: N_("打印机卡纸"),
    PrinterFault.COVER_OPEN: N_("打印机舱门未关好"),
    PrinterFault.OFFLINE: N_("打印机暂时无法使用"),
    PrinterFault.TONER_OUT: N_("打印机墨粉不足"),
    PrinterFault.TIMED_OUT: N_("打印超时"),
    PrinterFault.FAILED: N_("打印未完成"),
}

#: The body of each fault, about the document (``{what}``: 证明 or 回执, translated).
_BODY_MID_PRINT = N_("您的{what}没有完整打印出来，请不要使用已出纸的部分。"
                     "{what}已为您保存，不会丢失，也不会重复编号。")
_BODY_TIMED_OUT = N_("打印机长时间没有完成您的{what}，本次打印已取消。{what}已为您保存，不会丢失。")
_BODY_OTHER = N_("本机暂时无法打印您的{what}，工作人员已收到通知。{what}已为您保存，不会丢失。")
_BODIES = {PrinterFault.PAPER_OUT_MID_PRINT: _BODY_MID_PRINT,
           PrinterFault.TIMED_OUT: _BODY_TIMED_OUT}

_WHAT = {
    PrintKind.CERTIFICATE: N_("证明"),
    PrintKind.RECEIPT: N_("回执"),
}
#: How the full text joins its parts: title, body and the numbered next steps.
_FULL_TEXT = N_("{title}。{body}您可以：{steps}。")
_STEP_SEPARATOR = N_("；")


@dataclass(frozen=True, slots=True)
class ResidentMessage:
    """A title, a body and the next steps in ``locale``, ready for the screen and for voice."""

    fault: PrinterFault
    kind: PrintKind
    next_steps: tuple[NextStep, ...]
    reprint_code: str = ""
    locale: str = DEFAULT_LOCALE

    def in_locale(self, locale: str) -> ResidentMessage:
        """The same message in ``locale``."""
        return replace(self, locale=locale)

    @property
    def title(self) -> str:
        """What went wrong, in a few words."""
        return translate(_TITLES[self.fault], self.locale)

    @property
    def body(self) -> str:
        """What it means for the resident's document: saved, not lost."""
        what = translate(_WHAT[self.kind], self.locale)
        return translate(_BODIES.get(self.fault, _BODY_OTHER), self.locale, what=what)

    def steps_text(self) -> list[str]:
        """The next steps as sentences (the reprint code filled in)."""
        return [translate(COLLECT_AT_WINDOW_NO_CODE, self.locale)
                if s is NextStep.COLLECT_AT_WINDOW and not self.reprint_code
                else translate(NEXT_STEP_TEXT[s], self.locale, code=self.reprint_code)
                for s in self.next_steps]

    def full_text(self) -> str:
        """Title, body and numbered next steps in one text (for voice or a simple label)."""
        separator = translate(_STEP_SEPARATOR, self.locale)
        steps = separator.join(f"{i}. {t}" for i, t in enumerate(self.steps_text(), 1))
        return translate(_FULL_TEXT, self.locale, title=self.title, body=self.body, steps=steps)


def classify(result: PrintResult, status: DeviceStatus | None) -> PrinterFault:
    """Which fault explains a print that did not finish."""
    supplies = status.supplies if status is not None else None
    reasons = (status.reason if status is not None else "") + "," + result.reason
    mid_print = result.state in ("aborted", "canceled") and bool(result.job_id)
    if supplies is SupplyState.JAMMED or "jam" in reasons:
        return PrinterFault.JAMMED
    if supplies is SupplyState.COVER_OPEN or "cover" in reasons:
        return PrinterFault.COVER_OPEN
    if "toner-empty" in reasons or "marker-supply-empty" in reasons:
        return PrinterFault.TONER_OUT
    if supplies is SupplyState.OUT or "media-empty" in reasons or "paper out" in reasons:
        return PrinterFault.PAPER_OUT_MID_PRINT if mid_print else PrinterFault.PAPER_OUT
    if status is not None and status.state in (DeviceState.OFFLINE, DeviceState.NO_DEVICE):
        return PrinterFault.OFFLINE
    if result.state == "timed_out":
        return PrinterFault.TIMED_OUT
    return PrinterFault.FAILED


def message_for(kind: PrintKind, result: PrintResult, status: DeviceStatus | None,
                reprint_code: str = "", locale: str = DEFAULT_LOCALE) -> ResidentMessage:
    """The message for a print of ``kind`` that did not finish, in ``locale``."""
    fault = classify(result, status)
    steps: tuple[NextStep, ...]
    if kind is PrintKind.CERTIFICATE:
        steps = (NextStep.OTHER_TERMINAL, NextStep.COLLECT_AT_WINDOW, NextStep.REPRINT_LATER_HERE)
    else:
        steps = (NextStep.RETRY_LATER_HERE, NextStep.COLLECT_AT_WINDOW)
    if not reprint_code:
        steps = (NextStep.COLLECT_AT_WINDOW,)
    return ResidentMessage(fault, kind, steps, reprint_code, locale)
