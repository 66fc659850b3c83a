"""Pure IPP status code: job states, printer-state-reasons and the common status model.

No I/O: `ipptool` output (a plist) is parsed into plain dictionaries elsewhere, and this module
maps them to `DeviceStatus` / `SupplyState` and to a closed set of job states.
"""

from __future__ import annotations

import plistlib
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any
from xml.parsers.expat import ExpatError

from drivers.status import DeviceState, DeviceStatus, SupplyState

#: RFC 8011 suffixes on printer-state-reasons keywords.
REASON_SUFFIXES = ("-report", "-warning", "-error")


class JobState(IntEnum):
    """RFC 8011 job-state values."""

    PENDING = 3
    PENDING_HELD = 4
    PROCESSING = 5
    PROCESSING_STOPPED = 6
    CANCELED = 7
    ABORTED = 8
    COMPLETED = 9

    @property
    def terminal(self) -> bool:
        """True once the job can no longer change."""
        return self in (JobState.CANCELED, JobState.ABORTED, JobState.COMPLETED)


class PrinterState(IntEnum):
    """RFC 8011 printer-state values."""

    IDLE = 3
    PROCESSING = 4
    STOPPED = 5


#: Reasons that stop a printer from printing until someone intervenes.
BLOCKING_REASONS = frozenset({
    "media-empty", "media-needed", "media-jam", "cover-open", "door-open", "input-tray-missing",
    "toner-empty", "marker-supply-empty", "offline", "shutdown", "paused", "spool-area-full",
})


@dataclass(frozen=True, slots=True)
class IppResponse:
    """One IPP exchange: ``transport_error`` set when no IPP answer came back."""

    status_code: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    transport_error: str = ""

    @property
    def ok(self) -> bool:
        """True for a successful-ok* status."""
        return not self.transport_error and self.status_code.startswith("successful-ok")


def parse_ipptool_plist(data: bytes) -> IppResponse:
    """Turn `ipptool -X` output for one test into an `IppResponse` (response attributes merged)."""
    try:
        doc = plistlib.loads(data)
    except (ValueError, ExpatError) as exc:
        return IppResponse(transport_error=f"unreadable ipptool output ({type(exc).__name__})")
    tests = doc.get("Tests") or []
    if not tests:
        return IppResponse(transport_error=str(doc.get("ErrorMessage") or "no answer"))
    test = tests[0]
    attributes: dict[str, Any] = {}
    for group in test.get("ResponseAttributes") or []:
        for name, value in group.items():
            attributes.setdefault(name, value)
    status = str(test.get("StatusCode") or "")
    if not status:
        return IppResponse(transport_error=str(test.get("ErrorMessage") or "no IPP status"))
    return IppResponse(status, attributes)


def as_list(value: Any) -> list[Any]:
    """IPP 1setOf values arrive as a list, single values as a scalar."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def normalise_reasons(value: Any) -> frozenset[str]:
    """printer-state-reasons without severity suffixes and without ``none``."""
    reasons = set()
    for raw in as_list(value):
        keyword = str(raw)
        for suffix in REASON_SUFFIXES:
            if keyword.endswith(suffix):
                keyword = keyword[: -len(suffix)]
                break
        if keyword and keyword != "none":
            reasons.add(keyword)
    return frozenset(reasons)


def supplies_from_reasons(reasons: frozenset[str]) -> SupplyState:
    """Worst supply state named by the reasons (jam > out > cover open > low > ok)."""
    if "media-jam" in reasons:
        return SupplyState.JAMMED
    if reasons & {"media-empty", "media-needed", "toner-empty", "marker-supply-empty"}:
        return SupplyState.OUT
    if reasons & {"cover-open", "door-open"}:
        return SupplyState.COVER_OPEN
    if reasons & {"media-low", "toner-low", "marker-supply-low"}:
        return SupplyState.LOW
    return SupplyState.OK


def status_from_printer(attributes: dict[str, Any]) -> DeviceStatus:
    """Map Get-Printer-Attributes to the common status model."""
    reasons = normalise_reasons(attributes.get("printer-state-reasons"))
    supplies = supplies_from_reasons(reasons)
    reason_text = ",".join(sorted(reasons))
    try:
        state = PrinterState(int(attributes.get("printer-state", PrinterState.IDLE)))
    except ValueError:
        state = PrinterState.STOPPED
    if reasons & {"offline", "shutdown", "paused", "moving-to-paused"}:
        return DeviceStatus(DeviceState.OFFLINE, reason_text, supplies)
    if attributes.get("printer-is-accepting-jobs") is False:
        return DeviceStatus(DeviceState.OFFLINE, reason_text or "not accepting jobs", supplies)
    if state is PrinterState.STOPPED and supplies is SupplyState.OK:
        return DeviceStatus(DeviceState.ERROR, reason_text or "printer stopped", supplies)
    device_state = DeviceState.BUSY if state is PrinterState.PROCESSING else DeviceState.READY
    return DeviceStatus(device_state, reason_text, supplies)


def job_state(attributes: dict[str, Any]) -> JobState | None:
    """The job-state of a Get-Job-Attributes / Print-Job answer, if present and valid."""
    try:
        return JobState(int(attributes["job-state"]))
    except (KeyError, TypeError, ValueError):
        return None
