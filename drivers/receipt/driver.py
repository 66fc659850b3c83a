"""The receipt printer driver: DLE EOT status before and after each receipt, ESC/POS bytes.

`print_receipt` reads the printer's status (refusing to print on a printer that says it has no
paper, an open cover or a cutter error), sends the receipt's bytes, waits ``settle_seconds`` for
the printer to print them, and reads the status again: paper that ran out or a cover opened while
printing makes the result not ok (state ``aborted``), so the kiosk offers a reprint. A printer
that answers no status query at all (a one-way link) gets the bytes, but the result is not ok
either (state ``unconfirmed``): `PrintResult.ok` means the device confirmed the print.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from drivers.interfaces import Listener, PrintResult
from drivers.poller import StatusPoller
from drivers.publisher import StatusPublisher
from drivers.receipt import status as dle
from drivers.receipt.escpos import build_receipt
from drivers.receipt.model import Receipt
from drivers.receipt.transport import EscposTransport
from drivers.status import DeviceState, DeviceStatus

#: Background status poll interval.
log = logging.getLogger(__name__)

STATUS_INTERVAL_SECONDS = 5.0
#: Time for the printer to print what was sent before the status is read again.
SETTLE_SECONDS = 0.0


class EscposReceiptPrinter:
    """`ReceiptPrinter` for an ESC/POS thermal printer."""

    def __init__(self, transport: EscposTransport, *, name: str = "receipt_printer",
                 near_end_sensor: bool = True,
                 status_interval_seconds: float = STATUS_INTERVAL_SECONDS,
                 settle_seconds: float = SETTLE_SECONDS,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.name = name
        self.transport = transport
        self.near_end_sensor = near_end_sensor
        self.status_interval_seconds = status_interval_seconds
        self.settle_seconds = settle_seconds
        self._sleep = sleep
        self._publisher = StatusPublisher(name, DeviceStatus(DeviceState.NO_DEVICE,
                                                             "not checked yet"), log)
        self._lock = threading.Lock()  # one conversation with the printer at a time
        self._poller = StatusPoller(f"{name}-status", status_interval_seconds, self._lock,
                                    lambda: self._publish(self._query()))
        self._jobs = itertools.count(1)
        self.simulator: Any = None

    def start(self, listener: Listener) -> None:
        """Connect, read the status, and keep polling it; changes go to ``listener``."""
        self._publisher.listener = listener
        self.refresh_status()
        self._poller.start()

    def stop(self) -> None:
        """Stop polling, disconnect, and stop the simulator when there is one."""
        self._poller.stop()
        with self._lock:
            self.transport.close()
        if self.simulator is not None:
            self.simulator.stop()

    def status(self) -> DeviceStatus:
        """The last known status."""
        return self._publisher.status

    def refresh_status(self) -> DeviceStatus:
        """Query DLE EOT 1..4 now; publish and return the status."""
        with self._lock:
            return self._publish(self._query())

    def print_receipt(self, receipt: Any) -> PrintResult:
        """Print one `Receipt` (status before and after)."""
        if not isinstance(receipt, Receipt):
            raise TypeError("print_receipt expects a drivers.receipt.model.Receipt")
        data = build_receipt(receipt)
        job_id = f"r{next(self._jobs)}"
        with self._lock:
            before = self._publish(self._query())
            if not before.usable:
                return PrintResult(False, job_id, "refused", before.describe(),
                                   {"status_before": before})
            reason = self.transport.write(data)
            if reason:
                after = self._publish(self._query())
                return PrintResult(False, job_id, "aborted", reason,
                                   {"status_before": before, "status_after": after,
                                    "bytes": len(data)})
            if self.settle_seconds:
                self._sleep(self.settle_seconds)
            after = self._publish(self._query())
        details = {"status_before": before, "status_after": after, "bytes": len(data)}
        if after.state in (DeviceState.NO_DEVICE, DeviceState.OFFLINE):
            return PrintResult(False, job_id, "aborted",
                               f"printer lost while printing: {after.describe()}", details)
        if not after.usable:
            return PrintResult(False, job_id, "aborted",
                               f"printer stopped while printing: {after.describe()}", details)
        if after.reason == dle.NO_STATUS_REASON:
            return PrintResult(False, job_id, "unconfirmed",
                               "sent, but the printer answers no status query: whether it "
                               "printed cannot be confirmed", details)
        return PrintResult(True, job_id, "completed", after.reason, details)

    def _query(self) -> DeviceStatus:
        replies: dict[int, int | None] = {}
        for n in (1, 2, 3, 4):
            byte, reason = self.transport.query(dle.request(n))
            if reason:
                return DeviceStatus(DeviceState.NO_DEVICE if "cannot open" in reason
                                    or "unavailable" in reason else DeviceState.OFFLINE, reason)
            replies[n] = byte
            if n == 1 and byte is None:
                break  # a printer that does not answer n=1 will not answer the others
        return dle.summarize(dle.parse(replies), self.near_end_sensor)

    def _publish(self, status: DeviceStatus) -> DeviceStatus:
        return self._publisher.publish(status)


