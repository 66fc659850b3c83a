"""One small interface per device capability, composed rather than inherited.

Every driver is a `Device` (lifecycle, status, events) plus one capability. Blocking I/O runs
in the driver's own worker thread; events are delivered to the listener from that thread and
the kiosk hops them onto the UI loop. Expected hardware failures are values, not exceptions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from drivers.status import DeviceStatus


@dataclass(frozen=True, slots=True)
class DeviceEvent:
    """Something a device reports: ``kind`` is a short name, ``payload`` its data.

    Kinds used across drivers: ``status`` (payload: DeviceStatus), ``card_presented``,
    ``card_removed``, ``identity_read`` (payload: an identity record), ``read_failed``
    (payload: plain reason), ``code_scanned`` / ``code_rejected`` (payload: a
    drivers.scanner.payloads.ScannedCode), ``frame`` (payload: drivers.camera.Frame).
    """

    kind: str
    payload: Any = None
    source: str = ""


Listener = Callable[[DeviceEvent], None]


@runtime_checkable
class Device(Protocol):
    """Lifecycle and status common to every device."""

    name: str

    def start(self, listener: Listener) -> None:
        """Open the device and begin reporting events to ``listener`` (from a worker thread)."""

    def stop(self) -> None:
        """Stop workers and release the device; safe to call twice."""

    def status(self) -> DeviceStatus:
        """The last known status (never blocks)."""


@dataclass(frozen=True, slots=True)
class PrintResult:
    """Outcome of one print job. ``ok`` only when the device confirmed it finished."""

    ok: bool
    job_id: str = ""
    state: str = ""  # completed | aborted | canceled | timed_out | refused | unconfirmed
    reason: str = ""  # technician-facing
    details: dict[str, Any] = field(default_factory=dict)


class DocumentPrinter(Device, Protocol):
    """Prints PDF documents (certificates) on A4."""

    def print_pdf(self, pdf: bytes, job_name: str, copies: int = 1) -> PrintResult:
        """Submit and follow the job to its end; block until then or the configured timeout."""
        ...


class ReceiptPrinter(Device, Protocol):
    """Prints receipts on a thermal printer."""

    def print_receipt(self, receipt: Any) -> PrintResult:
        """Print one receipt (see drivers.receipt); block until sent and status checked."""
        ...
