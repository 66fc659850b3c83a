"""The kiosk's implementation of `flows.ports.SessionPorts` for one resident session.

Each port maps onto one platform call (kiosk.platform.PlatformClient) or one device action.
Platform and device faults become `PortFailure` values with a plain message in the UI's
language (kiosk.i18n); nothing here raises for an expected fault. Submissions go through the
journal so a crash or a network loss never loses or duplicates an application (kiosk.journal).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from flows import ports as fp
from flows.documents import (
    CertificateAdditions,
    CertificateDocument,
    DocumentTable,
    ReceiptDocument,
)
from kiosk.core.device_labels import device_down_text
from kiosk.core.events import log_event
from kiosk.core.session import SessionData
from kiosk.i18n import current_locale
from kiosk.platform.errors import PlatformError

if TYPE_CHECKING:
    from kiosk.platform import licences as licence_calls
    from kiosk.platform import models

log = logging.getLogger(__name__)
T = TypeVar("T")


class ResidentPlatform(Protocol):
    """What the ports read from the platform for one resident (kiosk.platform.PlatformClient).

    Blocking calls; every failure is a `PlatformError`.
    """

    def profile(self, resident_token: str) -> models.WireProfile:
        """The data the government already holds."""

    def prefill(self, service: str, resident_token: str) -> models.WirePrefill:
        """Answers the platform can fill in for ``service``."""

    def records(self, resident_token: str, kind: str, page: int = 1,
                size: int = 10) -> models.WireRecordPage:
        """One page of a record query."""

    def licences(self, resident_token: str) -> tuple[models.WireLicence, ...]:
        """The resident's electronic licences."""

    def benefits(self, resident_token: str) -> tuple[models.WireBenefit, ...]:
        """Benefits granted without applying."""

    def application(self, case_number: str) -> models.WireApplicationProgress:
        """Progress of a case."""

    def issue_certificate(self, kind: str, resident_token: str, *, case_number: str = "",
                          additions: CertificateAdditions | None = None,
                          idempotency_key: str | None = None) -> models.WireCertificate:
        """Issue a certificate (same key, same serial)."""

    def issued_certificates(self, resident_token: str
                            ) -> tuple[models.WireIssuedCertificateSummary, ...]:
        """Certificates issued to the resident lately, newest first."""

    def licence_holdings(self, resident_token: str, kind: str = ""
                         ) -> tuple[licence_calls.LicenceHolding, ...]:
        """Directory licences the resident (or their enterprise) holds."""

    def licence_copy(self, resident_token: str, licence_id: str, purpose: str,
                     idempotency_key: str | None = None) -> licence_calls.LicenceCopy:
        """A printable copy of a held licence (same key, same serial)."""

    def reissue_certificate(self, serial: str, resident_token: str) -> models.WireCertificate:
        """The stored certificate unchanged (only to its holder)."""

    def book_appointment(self, resident_token: str, service: str, *, day: date | None = None,
                         idempotency_key: str | None = None) -> models.WireAppointment:
        """A queue ticket for the hall."""


class Submissions(Protocol):
    """The journal the ports submit through (kiosk.ops.outbox.Outbox): never lost, never twice."""

    def submit_application(self, token: str, request: fp.ApplicationRequest
                           ) -> fp.ApplicationOutcome | fp.PortFailure:
        """Journal, then send; queued when the platform cannot be reached."""

    def rate(self, token: str, rating: fp.Rating) -> fp.RatingReceipt | fp.PortFailure:
        """Journal and send a rating."""

    def report_problem(self, report: fp.ProblemReport
                       ) -> fp.ProblemReportReceipt | fp.PortFailure:
        """Journal and send a 办不成事 report."""


class Printing(Protocol):
    """The printers, journaled (kiosk.printing.service.KioskPrinting)."""

    def print_certificate(self, document: CertificateDocument, session: SessionData,
                          reissue: bool = False) -> fp.PrintOutcome:
        """Render, journal and print one certificate on A4."""

    def print_receipt(self, document: ReceiptDocument,
                      session: SessionData) -> fp.PrintOutcome:
        """Journal and print one thermal receipt."""


#: Takes one page of a paper material for the session (kiosk.adapters.capture.DocumentCapture).
CaptureDocument = Callable[[str, SessionData], "fp.CapturedDocument | fp.PortFailure"]


class KioskSessionPorts:
    """Ports bound to one session: the resident, the platform client, devices, the journal."""

    def __init__(self, session: SessionData, client: ResidentPlatform,
                 device_usable: Callable[[str], bool], printing: Printing,
                 submissions: Submissions, capture: CaptureDocument | None = None,
                 device_reason: Callable[[str], str] | None = None) -> None:
        self._session = session
        self._client = client
        self._device_usable = device_usable
        self._device_reason = device_reason or (lambda name: "")
        self._printing = printing
        self._submissions = submissions
        self._capture = capture

    # -- helpers -----------------------------------------------------------------------------
    @property
    def _token(self) -> str:
        return self._session.resident_token

    def _call(self, op: str, fn: Callable[[], T]) -> T | fp.PortFailure:
        try:
            return fn()
        except PlatformError as exc:
            log_event(log, "port_failed", logging.WARNING, op=op, kind=str(exc.kind),
                      status=getattr(exc, "status", None))
            return fp.PortFailure(exc.resident_text(current_locale()), code=str(exc.kind),
                                  retryable=exc.transient)

    # -- identity and data -------------------------------------------------------------------
    def resident(self) -> fp.Resident | None:
        """The identified resident of this session, if any."""
        identity = self._session.resident
        if identity is None or not self._token:
            return None
        return fp.Resident(name=getattr(identity, "name", ""),
                           id_number=getattr(identity, "id_number", ""),
                           display_name=self._session.display_name,
                           sex=getattr(identity, "sex", ""),
                           birth_date=getattr(identity, "birth_date", None),
                           method=self._session.values.get("identify_method", ""))

    def profile(self) -> Mapping[str, str] | fp.PortFailure:
        """Data the government already holds about the resident."""
        def get() -> Mapping[str, str]:
            p = self._client.profile(self._token)
            data = {"name": p.name, "id_number": p.id_number, "sex": p.sex,
                    "birth_date": p.birth_date, "phone": p.phone, "address": p.address,
                    "household_address": p.household_address, "employer": p.employer,
                    "marital_status": p.marital_status}
            data.update({k: str(v) for k, v in p.extra.items()})
            return data
        return self._call("profile", get)

    def prefill(self, service: str) -> Mapping[str, str] | fp.PortFailure:
        """Form values the platform can fill in (智能预填)."""
        return self._call("prefill", lambda: {k: str(v) for k, v in
                                              self._client.prefill(service, self._token)
                                              .fields.items()})

    def fetch_records(self, kind: str, page: int, size: int) -> fp.RecordsPage | fp.PortFailure:
        """One page of records."""
        def get() -> fp.RecordsPage:
            r = self._client.records(self._token, kind, page=page, size=size)
            return fp.RecordsPage(
                kind=r.kind, title=r.title,
                columns=tuple(fp.RecordColumn(c.key, c.label) for c in r.columns),
                items=tuple({k: _text(v) for k, v in item.items()} for item in r.items),
                page=r.page, size=r.size, total=r.total,
                summary={k: _text(v) for k, v in r.summary.items()})
        return self._call("records", get)

    def licences(self) -> tuple[fp.Licence, ...] | fp.PortFailure:
        """The resident's electronic licences."""
        return self._call("licences", lambda: tuple(
            fp.Licence(x.licence_id, x.type, x.title, x.issuer, x.valid_to)
            for x in self._client.licences(self._token)))

    def benefits(self) -> tuple[fp.Benefit, ...] | fp.PortFailure:
        """Benefits the resident already qualifies for."""
        return self._call("benefits", lambda: tuple(
            fp.Benefit(b.code, b.title, b.amount, b.reason)
            for b in self._client.benefits(self._token)))

    # -- submissions -------------------------------------------------------------------------
    def submit_application(self, request: fp.ApplicationRequest
                           ) -> fp.ApplicationOutcome | fp.PortFailure:
        """Submit through the journal (outbox when the platform cannot be reached)."""
        return self._submissions.submit_application(self._token, request)

    def case_progress(self, case_number: str) -> fp.CaseProgress | fp.PortFailure:
        """Progress of a case."""
        def get() -> fp.CaseProgress:
            p = self._client.application(case_number)
            return fp.CaseProgress(p.case_number, p.service_title or p.service,
                                   p.status_label or str(p.status),
                                   tuple(fp.CaseEvent(h.at, h.label, h.note) for h in p.history))
        return self._call("case_progress", get)

    def issue_certificate(self, kind: str, idempotency_key: str, case_number: str = "",
                          additions: CertificateAdditions | None = None,
                          ) -> fp.IssuedCertificate | fp.PortFailure:
        """Ask the platform to issue a certificate (same key -> same serial)."""
        return self._call("issue_certificate", lambda: _issued(self._client.issue_certificate(
            kind, self._token, case_number=case_number, additions=additions,
            idempotency_key=idempotency_key)))

    # -- licence directory (电子证照打印: kiosk/platform/licences.py) ---------------------------
    def licence_holdings(self, kind: str = "") -> tuple[fp.HeldLicence, ...] | fp.PortFailure:
        """Directory licences the resident (or their enterprise) holds, of ``kind``."""
        return self._call("licence_holdings", lambda: tuple(
            fp.HeldLicence(h.licence_id, h.kind, h.title, h.issuer, h.holder, h.number,
                           h.valid_to, h.preview)
            for h in self._client.licence_holdings(self._token, kind)))

    def licence_copy(self, licence_id: str, purpose: str, idempotency_key: str
                     ) -> fp.IssuedCertificate | fp.PortFailure:
        """A printable copy of a held licence for ``purpose`` (same key, same serial)."""
        def get() -> fp.IssuedCertificate:
            copy = self._client.licence_copy(self._token, licence_id, purpose, idempotency_key)
            return replace(_issued(copy.certificate), usage=copy.usage)
        return self._call("licence_copy", get)
    # -- end licence directory -----------------------------------------------------------------

    def issued_certificates(self) -> tuple[fp.CertificateSummary, ...] | fp.PortFailure:
        """Certificates issued to the resident lately, newest first (证明补打)."""
        return self._call("issued_certificates", lambda: tuple(
            fp.CertificateSummary(c.serial, c.kind, c.title, c.issue_date.isoformat())
            for c in self._client.issued_certificates(self._token)))

    def reissue_certificate(self, serial: str) -> fp.IssuedCertificate | fp.PortFailure:
        """The stored certificate again: same serial, same content (not another's: refused)."""
        return self._call("reissue_certificate", lambda: _issued(
            self._client.reissue_certificate(serial, self._token)))

    def book_appointment(self, service: str, idempotency_key: str, day: str = ""
                         ) -> fp.Appointment | fp.PortFailure:
        """预约取号."""
        def get() -> fp.Appointment:
            a = self._client.book_appointment(self._token, service,
                                              day=date.fromisoformat(day) if day else None,
                                              idempotency_key=idempotency_key)
            return fp.Appointment(a.ticket, a.window, a.waiting)
        return self._call("book_appointment", get)

    def rate(self, rating: fp.Rating) -> fp.RatingReceipt | fp.PortFailure:
        """好差评, through the journal's outbox."""
        return self._submissions.rate(self._token, rating)

    def report_problem(self, report: fp.ProblemReport
                       ) -> fp.ProblemReportReceipt | fp.PortFailure:
        """办不成事反映, through the journal's outbox."""
        return self._submissions.report_problem(report)

    # -- devices -----------------------------------------------------------------------------
    def print_certificate(self, document: CertificateDocument,
                          reissue: bool = False) -> fp.PrintOutcome:
        """Render and print a certificate on A4 (journaled: never lost, never two documents
        under one serial); ``reissue``: 证明补打, another copy even when printed here before."""
        if not self._device_usable(fp.DeviceName.DOCUMENT_PRINTER):
            return fp.PrintOutcome(False, _down(fp.DeviceName.DOCUMENT_PRINTER))
        return self._printing.print_certificate(document, self._session, reissue=reissue)

    def print_receipt(self, document: ReceiptDocument) -> fp.PrintOutcome:
        """Print a thermal receipt."""
        if not self._device_usable(fp.DeviceName.RECEIPT_PRINTER):
            return fp.PrintOutcome(False, _down(fp.DeviceName.RECEIPT_PRINTER))
        return self._printing.print_receipt(document, self._session)

    def capture_document(self, name: str) -> fp.CapturedDocument | fp.PortFailure:
        """Photograph a paper material with the document camera."""
        if self._capture is None or not self._device_usable(fp.DeviceName.CAMERA):
            return fp.PortFailure(_down(fp.DeviceName.CAMERA), code="no_camera")
        return self._capture(name, self._session)

    def devices(self) -> Mapping[str, fp.DeviceAvailability]:
        """Usability of every device now."""
        return {name: fp.DeviceAvailability(self._device_usable(name),
                                            "" if self._device_usable(name) else _down(name))
                for name in fp.KNOWN_DEVICES}


def _issued(c: models.WireCertificate) -> fp.IssuedCertificate:
    """The platform's `WireCertificate` as the flows see it (`fp.IssuedCertificate`)."""
    table = DocumentTable(tuple(c.table.columns), tuple(tuple(r) for r in c.table.rows)
                          ) if c.table else None
    return fp.IssuedCertificate(c.serial, c.kind, c.title, c.issuer, c.issue_date,
                                tuple(c.fields), table, tuple(c.notes), c.additions,
                                usage=c.usage)


def _down(device: str) -> str:
    """The device's resident label, "not available", in the UI's language."""
    return device_down_text(device, current_locale())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)
