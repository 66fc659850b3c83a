"""Port answers from a service's ``fixtures.yaml``: the one fake `SessionPorts`.

Not for residents. `FixturePorts` stands in for the kiosk's adapter (platform client and
drivers) wherever a flow runs without the world: the smoke run of a bundle check
(`flows.smoke`), the flow benchmark (`kiosk bench flows`) and the headless engine tests. It
parses the fixtures once (every call returns a ready object), keeps every call it received so
tests can check what reached "the platform" and "the printers", honours idempotency keys the
way the platform does (same key -> same answer), and can be told to fail a call a number of
times (``fail``) or to mark a device unusable (``unusable``). An answer the flow needs but the
fixtures lack is a `PortFailure` (code ``fixture_missing``), so a smoke run reports it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from flows.definition import FIXTURES_FILE
from flows.documents import (
    CertificateAdditions,
    CertificateDocument,
    DocumentTable,
    ReceiptDocument,
)
from flows.ports import (
    KNOWN_DEVICES,
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

#: What an injected failure (``fail``) answers: the network is down.
NETWORK_DOWN = PortFailure("网络暂时不通，请稍后重试", "network")
#: What a call answers when the fixtures lack what it needs.
FIXTURE_MISSING = PortFailure("测试数据缺少该项", "fixture_missing", retryable=False)


def load_fixtures(folder: Path) -> dict[str, Any]:
    """The fixtures of a service folder (empty when it has none)."""
    path = Path(folder) / FIXTURES_FILE
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {} if path.exists() else {}


def _table(raw: Mapping[str, Any] | None) -> DocumentTable | None:
    if not raw:
        return None
    return DocumentTable(tuple(raw["columns"]), tuple(tuple(map(str, r)) for r in raw["rows"]))


def _pairs(raw: Any) -> tuple[tuple[str, str], ...]:
    return tuple((str(a), str(b)) for a, b in raw or ())


def holdings_from_fixture(fixtures: Mapping[str, Any], kind: str = "") -> tuple[HeldLicence, ...]:
    """The ``licence_holdings`` of a fixture (platform JSON shape), of ``kind`` when given."""
    return tuple(
        HeldLicence(str(x["licence_id"]), str(x["kind"]), str(x["title"]), str(x["issuer"]),
                    str(x.get("holder", "")), str(x.get("number", "")),
                    str(x.get("valid_to", "")),
                    tuple((str(a), str(b)) for a, b in x.get("preview") or ()))
        for x in fixtures.get("licence_holdings") or () if not kind or x["kind"] == kind)


def copy_of_holding(held: HeldLicence, purpose: str, serial: str,
                    today: date) -> IssuedCertificate:
    """A licence copy as the platform would issue it for ``held`` (fixtures and smoke runs)."""
    return IssuedCertificate(
        serial, f"licence:{held.kind}", f"{held.title}（电子证照打印件）", held.issuer, today,
        (("持证主体", held.holder), *held.preview), None, ("本打印件由电子证照生成",),
        usage=f"此件仅供办理政务服务事项时使用 · 用途：{purpose}")


def issued_from_fixture(raw: Mapping[str, Any], kind: str = "") -> IssuedCertificate:
    """An `IssuedCertificate` from a fixture in the platform's JSON shape (with ``additions``)."""
    extra = raw.get("additions") or {}
    return IssuedCertificate(
        str(raw["serial"]), kind or str(raw["kind"]), str(raw["title"]), str(raw["issuer"]),
        date.fromisoformat(str(raw["issue_date"])), _pairs(raw.get("fields")),
        _table(raw.get("table")), tuple(map(str, raw.get("notes", ()))),
        CertificateAdditions(str(extra.get("title", "")), _pairs(extra.get("fields")),
                             tuple(map(str, extra.get("notes", ())))))


def _strings(raw: Mapping[str, Any] | None) -> dict[str, str]:
    return {str(k): str(v) for k, v in (raw or {}).items()}


@dataclass
class FixturePorts:
    """Serves fixtures; records calls; injects failures. One per resident session."""

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

    def __post_init__(self) -> None:
        self.serve(self.fixtures)

    def serve(self, fixtures: Mapping[str, Any]) -> None:
        """Answer from ``fixtures`` from now on (parsed once here; a test may swap them)."""
        self.fixtures = fx = fixtures
        raw = fx.get("resident") or {}
        birth = raw.get("birth_date")
        self._resident = Resident(
            name=str(raw.get("name", "")), id_number=str(raw.get("id_number", "")),
            display_name=raw.get("display_name", ""), sex=raw.get("sex", ""),
            birth_date=date.fromisoformat(str(birth)) if birth else None,
            method=raw.get("method", "idcard"),
        ) if raw else None
        self._profile = _strings(fx.get("profile"))
        self._prefill = _strings(fx.get("prefill"))
        self._records: dict[str, Any] = dict(fx.get("records") or {})
        self._pages: dict[tuple[str, int, int], RecordsPage] = {}
        self._licences = tuple(Licence(**_strings(x)) for x in fx.get("licences") or ())
        self._benefits = tuple(Benefit(**_strings(x)) for x in fx.get("benefits") or ())
        app = fx.get("application")
        self._outcome = ApplicationOutcome(
            case_number=str(app["case_number"]), status=ApplicationStatus(app["status"]),
            reason=app.get("reason", ""), next_step=app.get("next_step", ""),
            time_limit_days=int(app.get("time_limit_days", 0)),
        ) if app else None
        self._certificates = {kind: issued_from_fixture(c, kind)
                              for kind, c in (fx.get("certificates") or {}).items()}
        self._stored = [issued_from_fixture(c) for c in fx.get("issued_certificates") or ()]
        self._cases = {str(n): CaseProgress(str(n), c["service"], c["status"],
                                            tuple(CaseEvent(**_strings(e))
                                                  for e in c.get("history", ())))
                       for n, c in (fx.get("cases") or {}).items()}
        appt = fx.get("appointment")
        self._appointment = Appointment(str(appt["ticket"]), str(appt.get("window", "")),
                                        int(appt.get("waiting", 0))) if appt else None

    def _failing(self, name: str) -> bool:
        self.calls.append((name, None))
        left = self.fail.get(name, 0)
        if left:
            self.fail[name] = left - 1
            return True
        return False

    def resident(self) -> Resident | None:
        return self._resident if self.identified else None

    def profile(self) -> Mapping[str, str] | PortFailure:
        return NETWORK_DOWN if self._failing("profile") else self._profile

    def prefill(self, service: str) -> Mapping[str, str] | PortFailure:
        return NETWORK_DOWN if self._failing("prefill") else self._prefill

    def fetch_records(self, kind: str, page: int, size: int) -> RecordsPage | PortFailure:
        if self._failing("fetch_records"):
            return NETWORK_DOWN
        raw = self._records.get(kind)
        if raw is None:
            return FIXTURE_MISSING
        key = (kind, page, size)
        if key not in self._pages:
            items = raw.get("items", [])
            start = (page - 1) * size
            self._pages[key] = RecordsPage(
                kind=kind, title=raw.get("title", kind),
                columns=tuple(RecordColumn(c["key"], c["label"]) for c in raw["columns"]),
                items=tuple(_strings(item) for item in items[start:start + size]),
                page=page, size=size, total=len(items), summary=_strings(raw.get("summary")),
            )
        return self._pages[key]

    def licences(self) -> tuple[Licence, ...] | PortFailure:
        return NETWORK_DOWN if self._failing("licences") else self._licences

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
        return NETWORK_DOWN if self._failing("benefits") else self._benefits

    def submit_application(self, request: ApplicationRequest) -> ApplicationOutcome | PortFailure:
        if self._failing("submit_application"):
            return NETWORK_DOWN
        self.calls[-1] = ("submit_application", request)
        if self._outcome is None:
            return FIXTURE_MISSING
        return self.applications.setdefault(request.idempotency_key, self._outcome)

    def case_progress(self, case_number: str) -> CaseProgress | PortFailure:
        if self._failing("case_progress"):
            return NETWORK_DOWN
        found = self._cases.get(case_number)
        return found or PortFailure("没有找到该办件", "not_found", retryable=False)

    def issue_certificate(self, kind: str, idempotency_key: str, case_number: str = "",
                          additions: CertificateAdditions | None = None,
                          ) -> IssuedCertificate | PortFailure:
        if self._failing("issue_certificate"):
            return NETWORK_DOWN
        self.calls[-1] = ("issue_certificate", (kind, idempotency_key, case_number))
        if idempotency_key in self.serials:
            return self.serials[idempotency_key]
        template = self._certificates.get(kind)
        if template is None:
            return FIXTURE_MISSING
        issued = replace(template, serial=f"{template.serial}-{len(self.serials) + 1:03d}",
                         additions=additions or CertificateAdditions())
        self.serials[idempotency_key] = issued
        return issued

    def _all_issued(self) -> list[IssuedCertificate]:
        return [*reversed(self.serials.values()), *self._stored]

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
        return self._appointment or FIXTURE_MISSING

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
                for name in sorted(KNOWN_DEVICES)}

    def count(self, name: str) -> int:
        """How many times a port method was called (including failed attempts)."""
        return sum(1 for n, _ in self.calls if n == name)
