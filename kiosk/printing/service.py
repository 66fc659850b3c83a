"""The print service: render, journal, print, and explain — one call per document.

`print_certificate` renders the certificate (signed QR code), records it in the journal before
anything is sent, submits it to the A4 printer, and records the outcome. When the printer does
not finish, the result carries a resident message with the next steps and the reprint code;
`reprint` prints the same document again under the same serial (never a new serial); `reissue`
does so for a certificate the platform reissued (证明补打, at this or any terminal). Receipts
follow the same path through the receipt printer.

`KioskPrinting` is the service as the session ports see it: the current printers are looked up
in the device hub at each print (a technician's device restart is picked up at once), with the
shared print journal and signing key, and answers are `flows.ports.PrintOutcome` values with
resident messages.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drivers.interfaces import DocumentPrinter, PrintResult, ReceiptPrinter
from drivers.status import DeviceStatus
from flows import ports as fp
from flows.documents import CertificateDocument, ReceiptDocument
from flows.ports import DeviceName
from kiosk.core.events import log_event
from kiosk.i18n import N_, current_locale, translate
from kiosk.printing.journal import (
    PrintEntry,
    PrintJournal,
    PrintKind,
    PrintState,
    SerialConflict,
)
from kiosk.printing.messages import ResidentMessage, message_for

if TYPE_CHECKING:
    from kiosk.certificates.keys import CertificateSigner

LOG = logging.getLogger("kiosk.printing")
REISSUE_REASON = "reissued at the resident's request (证明补打)"
#: Shown when the platform's content for a serial differs from what this terminal printed.
SERIAL_CONFLICT_MESSAGE = N_("这份证明与本机此前打印的内容不一致，"
                             "为防止同一编号出现两份不同的证明，"
                             "本次未打印。请到服务大厅窗口出示身份证办理。")


@dataclass(frozen=True, slots=True)
class PrintOutcome:
    """What happened to one print: the journal entry, the driver's result, and (on failure) the
    message to show the resident."""

    ok: bool
    entry: PrintEntry
    result: PrintResult
    message: ResidentMessage | None = None


class PrintService:
    """Joins renderer, printers and journal."""

    def __init__(self, journal: PrintJournal, document_printer: DocumentPrinter | None,
                 receipt_printer: ReceiptPrinter | None, signer: CertificateSigner, *,
                 specimen: bool = True) -> None:
        self.journal = journal
        self.document_printer = document_printer
        self.receipt_printer = receipt_printer
        self.signer = signer
        self.specimen = specimen

    def print_certificate(self, doc: CertificateDocument, case_id: str,
                          copies: int = 1) -> PrintOutcome:
        """Render and print a certificate (see the module docstring)."""
        digest = _digest(doc)
        entry = self.journal.record(PrintKind.CERTIFICATE, case_id, serial=doc.serial,
                                    digest=digest, copies=copies)
        if entry.state is PrintState.DONE:
            result = PrintResult(True, entry.job_id, "completed", "already printed")
            return PrintOutcome(True, entry, result)
        return self._print_certificate(entry, doc)

    def reprint(self, entry_id: int, doc: CertificateDocument) -> PrintOutcome:
        """Print an open certificate again, same serial; the content must be identical."""
        entry = self.journal.get(entry_id)
        if entry.serial != doc.serial or entry.digest != _digest(doc):
            raise ValueError("reprint with a different document refused")
        if entry.state is PrintState.DONE:
            result = PrintResult(True, entry.job_id, "completed", "already printed")
            return PrintOutcome(True, entry, result)
        return self._print_certificate(entry, doc)

    def reissue(self, doc: CertificateDocument, case_id: str) -> PrintOutcome:
        """证明补打: print a certificate the platform reissued (same serial, same content).

        The journal keeps one row per serial: printed here before, that row is used again
        (attempts count up; a done or voided one is reopened, since the resident asked for
        the document again); never printed here, a new row. Different content under a known
        serial is still refused (`SerialConflict`).
        """
        digest = _digest(doc)
        entry = self.journal.record(PrintKind.CERTIFICATE, case_id, serial=doc.serial,
                                    digest=digest)
        if entry.state in (PrintState.DONE, PrintState.VOIDED):
            entry = self.journal.reopen(entry.id, REISSUE_REASON)
        log_event(LOG, "certificate_reissue", print_id=entry.id, serial=doc.serial,
                  attempts_before=entry.attempts)
        return self._print_certificate(entry, doc)

    def _print_certificate(self, entry: PrintEntry, doc: CertificateDocument) -> PrintOutcome:
        from kiosk.certificates.render import render_certificate  # reportlab: at first print

        rendered = render_certificate(doc, self.signer, specimen=self.specimen)
        entry = self.journal.start_attempt(entry.id)
        if self.document_printer is None:
            result = PrintResult(False, state="refused", reason="no document printer configured")
            return self._failed(entry, result, None)
        log_event(LOG, "certificate_print_started", print_id=entry.id, serial=doc.serial,
                  attempt=entry.attempts, pages=rendered.pages)
        result = self.document_printer.print_pdf(rendered.pdf, f"cert-{doc.serial}",
                                                 copies=entry.copies)
        if result.job_id:
            self.journal.mark_submitted(entry.id, result.job_id)
        if result.ok:
            entry = self.journal.finish(entry.id, ok=True, job_id=result.job_id)
            log_event(LOG, "certificate_printed", print_id=entry.id, serial=doc.serial,
                      job_id=result.job_id)
            return PrintOutcome(True, entry, result)
        return self._failed(entry, result, self.document_printer.status())

    def reconcile(self) -> list[PrintEntry]:
        """At start-up: settle certificates left ``submitted`` by a crash from the printer's own
        job state (completed -> done, aborted/canceled -> failed); return the entries changed.

        Entries the printer cannot answer for stay open and are offered for reprint.
        """
        changed: list[PrintEntry] = []
        printer = self.document_printer
        job_result = getattr(printer, "job_result", None)
        if job_result is None:
            return changed
        for entry in self.journal.pending_reprints():
            if entry.kind is not PrintKind.CERTIFICATE or entry.state is not PrintState.SUBMITTED:
                continue
            result = job_result(entry.job_id)
            if result is None:
                continue
            settled = self.journal.finish(entry.id, ok=result.ok, job_id=entry.job_id,
                                          reason="" if result.ok else
                                          f"{result.state}: {result.reason} (after restart)")
            log_event(LOG, "print_reconciled", print_id=entry.id, serial=entry.serial,
                      state=settled.state)
            changed.append(settled)
        return changed

    def print_receipt(self, doc: ReceiptDocument, case_id: str,
                      reprint_code: str = "") -> PrintOutcome:
        """Print a receipt (recorded in the journal like any print)."""
        content = repr((doc.title, doc.lines, doc.notes, doc.qr)).encode("utf-8")
        digest = hashlib.sha256(content).hexdigest()
        entry = self.journal.record(PrintKind.RECEIPT, case_id, digest=digest)
        entry = self.journal.start_attempt(entry.id)
        if self.receipt_printer is None:
            result = PrintResult(False, state="refused", reason="no receipt printer configured")
            return self._failed(entry, result, None)
        from kiosk.printing.receipts import receipt_from_document  # the ESC/POS model: on use

        receipt = receipt_from_document(doc, reprint_code=reprint_code)
        result = self.receipt_printer.print_receipt(receipt)
        if result.job_id:
            self.journal.mark_submitted(entry.id, result.job_id)
        if result.ok:
            entry = self.journal.finish(entry.id, ok=True, job_id=result.job_id)
            return PrintOutcome(True, entry, result)
        return self._failed(entry, result, self.receipt_printer.status())

    def _failed(self, entry: PrintEntry, result: PrintResult,
                status: DeviceStatus | None) -> PrintOutcome:
        entry = self.journal.finish(entry.id, ok=False, job_id=result.job_id,
                                    reason=f"{result.state}: {result.reason}")
        message = message_for(entry.kind, result, status, entry.reprint_code)
        log_event(LOG, "print_failed", level=logging.WARNING, print_id=entry.id, kind=entry.kind,
                  state=result.state, fault=message.fault, reason=result.reason)
        return PrintOutcome(False, entry, result, message)


class KioskPrinting:
    """Print certificates and receipts through the hub's printers, journaled."""

    def __init__(self, hub: Any, data_dir: Path, demo: bool) -> None:
        self._hub = hub
        self.journal = PrintJournal(data_dir / "prints.sqlite3")
        self._data_dir = data_dir
        self._signer: CertificateSigner | None = None
        self._specimen = demo

    @property
    def signer(self) -> CertificateSigner:
        """The terminal's certificate signer, loaded (or made, first start) at first use: the
        start-up reconciliation after the first frame, or the first print (cryptography is
        not imported to draw the attract screen, docs/adr/0815)."""
        if self._signer is None:
            from kiosk.certificates.keys import load_signer

            self._signer = load_signer(self._data_dir, create=True)
        return self._signer

    def _service(self) -> PrintService:
        return PrintService(self.journal, self._hub.get(DeviceName.DOCUMENT_PRINTER),
                            self._hub.get(DeviceName.RECEIPT_PRINTER), self.signer,
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
            return fp.PrintOutcome(False, translate(SERIAL_CONFLICT_MESSAGE, current_locale()))

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


def _digest(doc: CertificateDocument) -> str:
    """The document's digest as the journal keeps it (kiosk.certificates.payload)."""
    from kiosk.certificates.payload import certificate_digest

    return certificate_digest(doc).hex()


def _outcome(outcome: PrintOutcome) -> fp.PrintOutcome:
    """The flows' outcome, its message in the UI's language."""
    message = (outcome.message.in_locale(current_locale()).full_text()
               if outcome.message is not None else "")
    return fp.PrintOutcome(outcome.ok, message, outcome.result.job_id)
