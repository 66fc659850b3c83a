"""Printing as the session ports see it: the current printers from the device hub, the shared
print journal and signing key, and `flows.ports.PrintOutcome` values with resident messages.

The printers are looked up at each print, so a technician's device restart is picked up at
once. The journal (kiosk.printing.journal) guarantees no lost and no doubled certificate.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flows import ports as fp
from flows.documents import CertificateDocument, ReceiptDocument
from kiosk.certificates.keys import load_signer
from kiosk.logs import log_event
from kiosk.printing.journal import PrintJournal, SerialConflict
from kiosk.printing.service import PrintOutcome, PrintService

LOG = logging.getLogger(__name__)
#: Shown when the platform's content for a serial differs from what this terminal printed.
SERIAL_CONFLICT_MESSAGE = ("这份证明与本机此前打印的内容不一致，为防止同一编号出现两份不同的证明，"
                           "本次未打印。请到服务大厅窗口出示身份证办理。")


class KioskPrinting:
    """Print certificates and receipts through the hub's printers, journaled."""

    def __init__(self, hub: Any, data_dir: Path, demo: bool) -> None:
        self._hub = hub
        self.journal = PrintJournal(data_dir / "prints.sqlite3")
        self._signer = load_signer(data_dir, create=True)
        self._specimen = demo

    def _service(self) -> PrintService:
        return PrintService(self.journal, self._hub.get("document_printer"),
                            self._hub.get("receipt_printer"), self._signer,
                            specimen=self._specimen)

    def print_certificate(self, document: CertificateDocument, session: Any,
                          reissue: bool = False) -> fp.PrintOutcome:
        """Render, journal and print one certificate (``reissue``: 证明补打, see
        `PrintService.reissue`)."""
        service = self._service()
        try:
            if reissue:
                return _outcome(service.reissue(document, session.session_id))
            return _outcome(service.print_certificate(document, session.session_id))
        except SerialConflict:
            # Never two documents under one serial: refuse plainly, print nothing.
            log_event(LOG, "certificate_serial_conflict", serial=document.serial)
            return fp.PrintOutcome(False, SERIAL_CONFLICT_MESSAGE)

    def print_receipt(self, document: ReceiptDocument, session: Any = None) -> fp.PrintOutcome:
        """Journal and print one receipt."""
        case_id = session.session_id if session is not None else "receipt"
        return _outcome(self._service().print_receipt(document, case_id))

    def reconcile(self) -> list[Any]:
        """Start-up: settle certificates the printer had accepted before a crash (see
        `PrintService.reconcile`); return the entries changed."""
        return self._service().reconcile()

    def pending_reprints(self) -> list[Any]:
        """Interrupted prints to offer again (technician and start-up reconciliation)."""
        return self.journal.pending_reprints()


def _outcome(outcome: PrintOutcome) -> fp.PrintOutcome:
    message = outcome.message.full_text() if outcome.message is not None else ""
    return fp.PrintOutcome(outcome.ok, message, outcome.result.job_id)
