"""What technician mode shows: its pages, the device being set up, and the whole state the
technician screen renders (kiosk.technician.controller publishes it; kiosk.ui.screens.technician
draws it). Plain frozen data, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from kiosk.core.device_labels import DEVICE_LABELS
from kiosk.technician.device_tests import TestResult
from kiosk.technician.discovery import Candidate, baud_of
from kiosk.technician.status import Fact

PIN_MAX_DIGITS = 12
BAUD_RATES = (9600, 19200, 38400, 57600, 115200)
PAPER_WIDTHS_MM = (58, 80)
RESOLUTIONS = ("640x480", "1280x720", "1920x1080")
#: Cells of the touch-test grid (columns, rows).
TOUCH_GRID = (8, 4)
#: Device parameters offered per device: (label, hardware key or "baud", choices).
PARAMETERS: dict[str, list[tuple[str, str, tuple[Any, ...]]]] = {
    "idcard": [("波特率", "baud", BAUD_RATES)],
    "receipt_printer": [("纸宽 (mm)", "receipt_paper_width_mm", PAPER_WIDTHS_MM),
                        ("波特率 (串口)", "baud", BAUD_RATES)],
    "camera": [("分辨率", "camera_resolution", RESOLUTIONS)],
    "scanner": [("波特率 (串口)", "scanner_baud", BAUD_RATES)],
}
SERIAL_SCHEMES = ("serial://", "escpos+serial://")

NO_PIN_TEXT = "本机尚未设置技术员密码 (kiosk technician set-pin)，请刷技术员卡"
LOCKED_PREFIX = "密码错误次数过多"
NOT_TESTED_TEXT = "尚未测试：请先测试，测试通过后才能保存"
CHANGED_TEXT = "设置已更改：请重新测试，测试通过后才能保存"


def locked_text(wait_seconds: float) -> str:
    """The lockout message with the seconds left."""
    return f"{LOCKED_PREFIX}，已锁定，请 {int(wait_seconds) + 1} 秒后再试"


class Page(StrEnum):
    """The technician's pages."""

    PIN = "pin"
    HOME = "home"
    DEVICE = "device"
    EXPORT = "export"
    ERRORS = "errors"
    TOUCH = "touch"


@dataclass(frozen=True, slots=True)
class Note:
    """A line of feedback; ``kind`` is info, muted, success or error (the view's colour)."""

    text: str = ""
    kind: str = "error"


@dataclass(frozen=True, slots=True)
class DeviceEdit:
    """The device page: the connection and parameters chosen, and the last test of them."""

    name: str
    url: str
    hardware: Mapping[str, Any]
    candidates: tuple[Candidate, ...] = ()
    notes: tuple[str, ...] = ()
    discovering: bool = True
    result: Note = Note(NOT_TESTED_TEXT, "muted")
    #: (url, hardware, result) of the last finished test.
    last_test: tuple[str, Mapping[str, Any], TestResult] | None = None
    testing: bool = False
    #: A question the technician answers (the device could not report the outcome).
    confirm: str = ""
    preview_png: bytes | None = None

    @property
    def label(self) -> str:
        """The device's name for the technician."""
        return DEVICE_LABELS.get(self.name, self.name)

    def parameters(self) -> list[tuple[str, str, tuple[Any, ...], Any]]:
        """(label, key, choices, current value) of the parameters that apply now."""
        out = []
        for label, key, choices in PARAMETERS.get(self.name, []):
            if key == "baud":
                if not self.url.startswith(SERIAL_SCHEMES):
                    continue
                out.append((label, key, choices, baud_of(self.url)))
            else:
                out.append((label, key, choices, self.hardware.get(key)))
        return out


@dataclass(frozen=True, slots=True)
class TechnicianState:
    """Everything the technician screen renders."""

    page: Page = Page.PIN
    authenticated: bool = False
    pin_length: int = 0
    message: Note = Note()
    #: Shown on the PIN page of a demo terminal that had no PIN.
    demo_pin: str = ""
    busy: bool = False
    facts: tuple[Fact, ...] | None = None
    #: device -> the status line shown in the device list (label, status, URL).
    statuses: Mapping[str, str] = field(default_factory=dict)
    volume: int = 0
    device: DeviceEdit | None = None
    export_targets: tuple[Path, ...] = ()
    errors: tuple[str, ...] | None = None
    touched: frozenset[int] = frozenset()
