"""From framed scanner output to device events (pure).

- ``code_scanned``: payload a ScannedCode of kind personal_code, e_licence, case_number, url or
  unknown.
- ``code_rejected``: payload a ScannedCode of kind rejected (``reason`` says why; no text).
"""

from __future__ import annotations

from drivers.interfaces import DeviceEvent
from drivers.scanner.framing import FrameItem, Overflow
from drivers.scanner.payloads import CodeKind, ScannedCode, classify

CODE_SCANNED = "code_scanned"
CODE_REJECTED = "code_rejected"


def code_event(code: ScannedCode, device: str) -> DeviceEvent:
    """The event for one classified code."""
    kind = CODE_REJECTED if code.kind is CodeKind.REJECTED else CODE_SCANNED
    return DeviceEvent(kind, code, device)


def frame_events(items: list[FrameItem], source: str, device: str) -> list[DeviceEvent]:
    """Classify framed items into events, in order."""
    events = []
    for item in items:
        if isinstance(item, Overflow):
            code = ScannedCode(CodeKind.REJECTED, "", source, "too long")
        else:
            code = classify(item, source)
        events.append(code_event(code, device))
    return events
