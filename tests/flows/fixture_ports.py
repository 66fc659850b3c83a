"""TEST ADAPTER at the port boundary: a `SessionPorts` that serves a flow's fixtures.yaml.

This stands in for the kiosk's adapter (platform client + drivers) in headless engine tests;
it keeps every call it received so tests can check what reached "the platform" and "the
printers", honours idempotency keys the way the platform does (same key -> same answer) and
can be told to fail a call a number of times (``fail``) or to mark a device unusable.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from flows.documents import (
    CertificateAdditions,
    CertificateDocument,
    DocumentTable,
    ReceiptDocument,
)
from flows.ports import (
    ApplicationOutcome,
    ApplicationRequest,
    ApplicationStatus,
    Appointment,
    Benefit,
    CapturedDocument,
    CaseEvent,
    CaseProgress,
    CertificateSummary,
    DeviceAvailability,
    HeldLicence,
    IssuedCertificate,
    Licence,
    PortFailure,
    PrintOutcome,
    ProblemReport,
    ProblemReportReceipt,
    Rating,
    RatingReceipt,
    RecordColumn,
    RecordsPage,
    Resident,
)
from flows.smoke import copy_of_holding, holdings_from_fixture, issued_from_fixture

ALL_DEVICES = ("idcard", "smartcard", "camera", "scanner", "receipt_printer", "document_printer")
NETWORK_DOWN = PortFailure("网络暂时不通，请稍后重试", "network")


def load_fixtures(folder: Path) -> dict[str, Any]:
    """The fixtures of a service folder (empty when it has none)."""
    path = folder / "fixtures.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {} if path.exists() else {}


@dataclass
class FixturePorts:
    """Serves fixtures; records calls; injects failures. One per test session."""

    fixtures: Mapping[str, Any]
    identified: bool = True
    unusable: dict[str, str] = field(default_factory=dict)  # device -> reason
    fail: dict[str, int] = field(default_factory=dict)  # method -> times to fail first
    calls: list[tuple[str, Any]] = field(default_factory=list)
    printed_certificates: list[CertificateDocument] = field(default_factory=list)
    printed_receipts: list[ReceiptDocument] = field(default_factory=list)
    applications: dict[str, ApplicationOutcome] = field(default_factory=dict)  # key -> outcome
    serials: dict[str, IssuedCertificate] = field(default_factory=dict)  # key -> certificate
    ratings: list[Rating] = field(default_factory=list)
    reports: list[ProblemReport] = field(default_factory=list)

    def _failing(self, name: str) -> bool:
        self.calls.append((name, None))
        left = self.fail.get(name, 0)
        if left:
            self.fail[name] = left - 1
            return True
        return False

    def resident(self) -> Resident | None:
        raw = self.fixtures.get("resident")
        if not self.identified or not raw:
            return None
        birth = raw.get("birth_date")
        return Resident(
            name=raw["name"], id_number=str(raw["id_number"]),
            display_name=raw.get("display_name", ""), sex=raw.get("sex", ""),
            birth_date=date.fromisoformat(str(birth)) if birth else None,
            method=raw.get("method", "idcard"),
        )

    def profile(self) -> Mapping[str, str] | PortFailure:
        if self._failing("profile"):
            return NETWORK_DOWN
        return {k: str(v) for k, v in (self.fixtures.get("profile") or {}).items()}

    def prefill(self, service: str) -> Mapping[str, str] | PortFailure:
        if self._failing("prefill"):
            return NETWORK_DOWN
        return {k: str(v) for k, v in (self.fixtures.get("prefill") or {}).items()}

    def fetch_records(self, kind: str, page: int, size: int) -> RecordsPage | PortFailure:
        if self._failing("fetch_records"):
            return NETWORK_DOWN
        raw = (self.fixtures.get("records") or {}).get(kind)
        if raw is None:
            return PortFailure("没有查询到该类记录", "not_found", retryable=False)
        items = raw.get("items", [])
        start = (page - 1) * size
        return RecordsPage(
            kind=kind, title=raw.get("title", kind),
            columns=tuple(RecordColumn(c["key"], c["label"]) for c in raw["columns"]),
            items=tuple({k: str(v) for k, v in item.items()} for item in items[start:start + size]),
            page=page, size=size, total=len(items),
            summary={k: str(v) for k, v in (raw.get("summary") or {}).items()},
        )

    def licences(self) -> tuple[Licence, ...] | PortFailure:
        if self._failing("licences"):
            return NETWORK_DOWN
        return tuple(Licence(**{k: str(v) for k, v in x.items()})
                     for x in self.fixtures.get("licences") or ())

    def licence_holdings(self, kind: str = "") -> tuple[HeldLicence, ...] | PortFailure:
        if self._failing("licence_holdings"):
            return NETWORK_DOWN
        return holdings_from_fixture(self.fixtures, kind)

    def licence_copy(self, licence_id: str, purpose: str, idempotency_key: str
                     ) -> IssuedCertificate | PortFailure:
        if self._failing("licence_copy"):
            return NETWORK_DOWN
        self.calls[-1] = ("licence_copy", (licence_id, purpose, idempotency_key))
        if idempotency_key in self.serials:
            return self.serials[idempotency_key]
        refused = self.fixtures.get("licence_refused") or {}
        held = next((h for h in holdings_from_fixture(self.fixtures)
                     if h.licence_id == licence_id), None)
        if held is None or held.kind in refused:
            message = refused.get(held.kind if held else "", "未查询到您名下的该证照")
            return PortFailure(message, "not_released", retryable=False)
        issued = copy_of_holding(held, purpose, f"ZZ-{len(self.serials) + 1:03d}",
                                 date(2026, 12, 3))
        self.serials[idempotency_key] = issued
        return issued

    def benefits(self) -> tuple[Benefit, ...] | PortFailure:
        if self._failing("benefits"):
            return NETWORK_DOWN
        return tuple(Benefit(**{k: str(v) for k, v in x.items()})
                     for x in self.fixtures.get("benefits") or ())

    def submit_application(self, request: ApplicationRequest) -> ApplicationOutcome | PortFailure:
        if self._failing("submit_application"):
            return NETWORK_DOWN
        self.calls[-1] = ("submit_application", request)
        if request.idempotency_key in self.applications:
            return self.applications[request.idempotency_key]
        raw = self.fixtures["application"]
        outcome = ApplicationOutcome(
            case_number=str(raw["case_number"]), status=ApplicationStatus(raw["status"]),
            reason=raw.get("reason", ""), next_step=raw.get("next_step", ""),
            time_limit_days=int(raw.get("time_limit_days", 0)),
        )
        self.applications[request.idempotency_key] = outcome
        return outcome

    def case_progress(self, case_number: str) -> CaseProgress | PortFailure:
        if self._failing("case_progress"):
            return NETWORK_DOWN
        raw = (self.fixtures.get("cases") or {}).get(case_number)
        if raw is None:
            return PortFailure("没有找到该办件", "not_found", retryable=False)
        return CaseProgress(case_number, raw["service"], raw["status"],
                            tuple(CaseEvent(**{k: str(v) for k, v in e.items()})
                                  for e in raw.get("history", ())))

    def issue_certificate(self, kind: str, idempotency_key: str, case_number: str = "",
                          additions: CertificateAdditions | None = None,
                          ) -> IssuedCertificate | PortFailure:
        if self._failing("issue_certificate"):
            return NETWORK_DOWN
        self.calls[-1] = ("issue_certificate", (kind, idempotency_key, case_number))
        if idempotency_key in self.serials:
            return self.serials[idempotency_key]
        raw = (self.fixtures.get("certificates") or {})[kind]
        table = raw.get("table")
        issued = IssuedCertificate(
            serial=f"{raw['serial']}-{len(self.serials) + 1:03d}", kind=kind,
            title=raw["title"], issuer=raw["issuer"],
            issue_date=date.fromisoformat(str(raw["issue_date"])),
            fields=tuple((str(a), str(b)) for a, b in raw.get("fields", ())),
            table=DocumentTable(tuple(table["columns"]),
                                tuple(tuple(map(str, r)) for r in table["rows"]))
            if table else None,
            notes=tuple(raw.get("notes", ())),
            additions=additions or CertificateAdditions(),
        )
        self.serials[idempotency_key] = issued
        return issued

    def _all_issued(self) -> list[IssuedCertificate]:
        stored = [issued_from_fixture(c) for c in self.fixtures.get("issued_certificates") or ()]
        return [*reversed(self.serials.values()), *stored]

    def issued_certificates(self) -> tuple[CertificateSummary, ...] | PortFailure:
        if self._failing("issued_certificates"):
            return NETWORK_DOWN
        return tuple(CertificateSummary(c.serial, c.kind, c.additions.title or c.title,
                                        c.issue_date.isoformat()) for c in self._all_issued())

    def reissue_certificate(self, serial: str) -> IssuedCertificate | PortFailure:
        if self._failing("reissue_certificate"):
            return NETWORK_DOWN
        self.calls[-1] = ("reissue_certificate", serial)
        found = next((c for c in self._all_issued() if c.serial == serial), None)
        return found or PortFailure("未查询到该证明，请核对证明编号", "not_found",
                                    retryable=False)

    def book_appointment(self, service: str, idempotency_key: str,
                         day: str = "") -> Appointment | PortFailure:
        if self._failing("book_appointment"):
            return NETWORK_DOWN
        self.calls[-1] = ("book_appointment", (service, idempotency_key, day))
        raw = self.fixtures["appointment"]
        return Appointment(str(raw["ticket"]), str(raw.get("window", "")),
                           int(raw.get("waiting", 0)))

    def rate(self, rating: Rating) -> RatingReceipt | PortFailure:
        if self._failing("rate"):
            return NETWORK_DOWN
        if rating.score in (1, 2) and not rating.reasons:
            return PortFailure("请至少选择一项不满意的原因", "validation", retryable=False)
        self.ratings.append(rating)
        return RatingReceipt(f"R{len(self.ratings):04d}")

    def report_problem(self, report: ProblemReport) -> ProblemReportReceipt | PortFailure:
        if self._failing("report_problem"):
            return NETWORK_DOWN
        self.reports.append(report)
        return ProblemReportReceipt(f"P{len(self.reports):04d}", 3)

    def print_certificate(self, document: CertificateDocument,
                          reissue: bool = False) -> PrintOutcome:
        if self._failing("print_certificate"):
            return PrintOutcome(False, "打印机缺纸，请联系工作人员")
        self.printed_certificates.append(document)
        return PrintOutcome(True, job_id=f"J{len(self.printed_certificates)}", pages=1)

    def print_receipt(self, document: ReceiptDocument) -> PrintOutcome:
        if self._failing("print_receipt"):
            return PrintOutcome(False, "凭条打印机缺纸")
        self.printed_receipts.append(document)
        return PrintOutcome(True)

    def capture_document(self, name: str) -> CapturedDocument | PortFailure:
        if self._failing("capture_document"):
            return PortFailure("没有拍清楚，请把材料放平后重试", "blurred")
        data = f"jpeg:{name}".encode()
        return CapturedDocument(name, "image/jpeg", hashlib.sha256(data).hexdigest(), data)

    def devices(self) -> Mapping[str, DeviceAvailability]:
        return {name: DeviceAvailability(name not in self.unusable, self.unusable.get(name, ""))
                for name in ALL_DEVICES}

    def count(self, name: str) -> int:
        """How many times a port method was called (including failed attempts)."""
        return sum(1 for n, _ in self.calls if n == name)
