"""The document (A4) printer driver over IPP.

`print_pdf` checks the printer first (no job is sent to a printer that says it has no paper or
is jammed), submits the PDF with Print-Job, then follows the job with Get-Job-Attributes until it
is completed, aborted or canceled. A job still unfinished when the timeout expires, or held up for
longer than the stall grace by a blocking printer reason (paper out, jam, cover open), is canceled
so it cannot print later in front of the next resident, and reported as not done. Only the
printer's own ``completed`` (without ``job-completed-with-errors``) makes ``PrintResult.ok``.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from drivers.docprinter.ipp_status import (
    BLOCKING_REASONS,
    IppResponse,
    JobState,
    as_list,
    job_state,
    normalise_reasons,
    status_from_printer,
)
from drivers.docprinter.ipptool import IppTool
from drivers.interfaces import Listener, PrintResult
from drivers.poller import StatusPoller
from drivers.publisher import StatusPublisher
from drivers.status import DeviceState, DeviceStatus

log = logging.getLogger(__name__)

#: How often the background poller asks the printer for its state.
STATUS_INTERVAL_SECONDS = 5.0
#: How often a running job is polled.
JOB_POLL_INTERVAL_SECONDS = 0.2
#: A job that has not finished after this long is canceled and reported as timed out.
JOB_TIMEOUT_SECONDS = 120.0
#: A job held up this long by a blocking printer reason (paper out, jam) is canceled.
STALL_GRACE_SECONDS = 10.0
#: Per-request IPP timeout.
REQUEST_TIMEOUT_SECONDS = 5.0
#: Time allowed for the printer to confirm a cancel.
CANCEL_CONFIRM_SECONDS = 3.0


class IppDocumentPrinter:
    """`DocumentPrinter` for an IPP printer (IPP Everywhere, or a CUPS queue URI)."""

    def __init__(self, uri: str, *, name: str = "document_printer",
                 status_interval_seconds: float = STATUS_INTERVAL_SECONDS,
                 job_poll_interval_seconds: float = JOB_POLL_INTERVAL_SECONDS,
                 job_timeout_seconds: float = JOB_TIMEOUT_SECONDS,
                 stall_grace_seconds: float = STALL_GRACE_SECONDS,
                 request_timeout_seconds: float = REQUEST_TIMEOUT_SECONDS,
                 cancel_confirm_seconds: float = CANCEL_CONFIRM_SECONDS,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.name = name
        self.uri = uri
        self.status_interval_seconds = status_interval_seconds
        self.job_poll_interval_seconds = job_poll_interval_seconds
        self.job_timeout_seconds = job_timeout_seconds
        self.stall_grace_seconds = stall_grace_seconds
        self.cancel_confirm_seconds = cancel_confirm_seconds
        self._clock = clock
        self._sleep = sleep
        self._ipp = IppTool(uri, request_timeout_seconds)
        self._publisher = StatusPublisher(name, DeviceStatus(DeviceState.OFFLINE,
                                                             "not checked yet"), log)
        self._job_lock = threading.Lock()
        self._poller = StatusPoller(f"{name}-status", status_interval_seconds, self._job_lock,
                                    self.refresh_status)
        self.simulator: Any = None  # set by the factory for sim:// URLs

    # -- Device -----------------------------------------------------------------------------
    def start(self, listener: Listener) -> None:
        """Begin polling the printer's status; changes go to ``listener``."""
        self._publisher.listener = listener
        self.refresh_status()
        self._poller.start()

    def stop(self) -> None:
        """Stop polling and release resources (the simulator too, when there is one)."""
        self._poller.stop(grace_seconds=10)
        self._ipp.close()
        if self.simulator is not None:
            self.simulator.stop()

    def status(self) -> DeviceStatus:
        """The last known status."""
        return self._publisher.status

    def refresh_status(self) -> DeviceStatus:
        """Ask the printer now; publish and return its status."""
        return self._publish(self._status_from(self._ipp.get_printer()))

    # -- DocumentPrinter ------------------------------------------------------------------
    def print_pdf(self, pdf: bytes, job_name: str, copies: int = 1) -> PrintResult:
        """Submit ``pdf`` and follow the job to its end (see the module docstring)."""
        with self._job_lock:
            before = self.refresh_status()
            if not before.usable:
                return PrintResult(False, state="refused", reason=before.describe(),
                                   details={"status": before})
            with tempfile.TemporaryDirectory(prefix="kiosk-print-") as folder:
                path = Path(folder) / "document.pdf"
                path.write_bytes(pdf)
                answer = self._ipp.print_job(path, job_name, max(1, copies))
            if not answer.ok:
                self.refresh_status()
                reason = answer.transport_error or f"printer refused the job ({answer.status_code})"
                # A lost answer may hide an accepted job: say so, the journal keeps it pending.
                return PrintResult(False, state="refused", reason=reason,
                                   details={"uncertain": bool(answer.transport_error)})
            job_id = int(answer.attributes.get("job-id", 0) or 0)
            if job_id <= 0:
                return PrintResult(False, state="refused", reason="printer returned no job id",
                                   details={"uncertain": True})
            return self._follow(job_id)

    def job_result(self, job_id: str) -> PrintResult | None:
        """What became of an earlier job (start-up reconciliation after a crash).

        A `PrintResult` once the printer reports the job finished (completed, aborted or
        canceled); None while it is still pending or processing, or when the printer does not
        answer or no longer knows the job.
        """
        if not job_id.isdigit():
            return None
        answer = self._ipp.get_job(int(job_id))
        if not answer.ok:
            return None
        state = job_state(answer.attributes)
        if state is None or not state.terminal:
            return None
        return self._result(int(job_id), state, answer.attributes)

    # -- internals ------------------------------------------------------------------------
    def _follow(self, job_id: int) -> PrintResult:
        started = self._clock()
        stalled_since: float | None = None
        last: dict[str, Any] = {}
        while True:
            answer = self._ipp.get_job(job_id)
            if answer.ok:
                last = answer.attributes
                state = job_state(last)
                if state is not None and state.terminal:
                    self.refresh_status()
                    return self._result(job_id, state, last)
            printer = self.refresh_status()
            blocking = normalise_reasons(printer.reason.split(",")) & BLOCKING_REASONS
            now = self._clock()
            if blocking or printer.state is DeviceState.OFFLINE:
                stalled_since = now if stalled_since is None else stalled_since
                if now - stalled_since >= self.stall_grace_seconds:
                    why = ",".join(sorted(blocking)) or printer.describe()
                    return self._cancel(job_id, f"printer stopped: {why}", "canceled")
            else:
                stalled_since = None
            if now - started >= self.job_timeout_seconds:
                limit = self.job_timeout_seconds
                return self._cancel(job_id, f"job not finished after {limit:g} s", "timed_out")
            self._sleep(self.job_poll_interval_seconds)

    def _cancel(self, job_id: int, reason: str, state: str) -> PrintResult:
        self._ipp.cancel_job(job_id)
        deadline = self._clock() + self.cancel_confirm_seconds
        final: JobState | None = None
        attributes: dict[str, Any] = {}
        while self._clock() < deadline:
            answer = self._ipp.get_job(job_id)
            if answer.ok:
                attributes = answer.attributes
                final = job_state(attributes)
                if final is not None and final.terminal:
                    break
            self._sleep(self.job_poll_interval_seconds)
        self.refresh_status()
        if final is JobState.COMPLETED:
            # The printer finished it before the cancel arrived: it is on paper.
            return self._result(job_id, final, attributes)
        return PrintResult(False, job_id=str(job_id), state=state, reason=reason,
                           details={"final_job_state": final.name.lower() if final else "unknown",
                                    "printer_reasons": self.status().reason})

    def _result(self, job_id: int, state: JobState, attributes: dict[str, Any]) -> PrintResult:
        reasons = [str(r) for r in as_list(attributes.get("job-state-reasons"))]
        message = str(attributes.get("job-state-message") or "").strip()
        details = {"job_state_reasons": reasons, "printer_reasons": self.status().reason}
        if state is JobState.COMPLETED and "job-completed-with-errors" not in reasons:
            return PrintResult(True, job_id=str(job_id), state="completed", reason=message,
                               details=details)
        name = {JobState.COMPLETED: "aborted", JobState.ABORTED: "aborted",
                JobState.CANCELED: "canceled"}[state]
        return PrintResult(False, job_id=str(job_id), state=name,
                           reason=message or ",".join(reasons), details=details)

    def _status_from(self, answer: IppResponse) -> DeviceStatus:
        if answer.transport_error:
            return DeviceStatus(DeviceState.OFFLINE, answer.transport_error)
        if not answer.ok:
            return DeviceStatus(DeviceState.ERROR, f"printer answered {answer.status_code}")
        return status_from_printer(answer.attributes)

    def _publish(self, status: DeviceStatus) -> DeviceStatus:
        return self._publisher.publish(status)


