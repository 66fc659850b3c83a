"""Replaying a service over its own fixtures: the smoke run of a bundle check, and benchmarks.

`smoke_run(folder)` loads each service folder of a bundle, answers every port from the
service's ``fixtures.yaml`` (`ReplayPorts`) and drives it to the end with the headless resident
(`flows.headless.drive`). A service that does not reach DONE, or whose engine raises, is a
problem reported as ``file:line: message`` (the line of the step where it stopped).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from flows.definition import FIXTURES_FILE, FLOW_FILE, DefinitionError, load_definition
from flows.documents import (
    CertificateAdditions,
    CertificateDocument,
    DocumentTable,
    ReceiptDocument,
)
from flows.engine import FlowRun
from flows.headless import Stuck, drive
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
from flows.views import StepKind
from flows.yamlsource import Problem

#: The date smoke runs are pinned to (fixtures are written against it).
SMOKE_DATE = date(2026, 11, 21)
_MISSING = PortFailure("测试数据缺少该项", "fixture_missing", retryable=False)


@dataclass
class ReplayPorts:
    """Port answers prepared once from a service's fixtures; every call returns a ready object.

    Not for residents: used by smoke runs (bundle checks) and benchmarks. A fixture the flow
    needs but lacks is answered with a `PortFailure`, so the smoke run reports it.
    """

    fixtures: Mapping[str, Any]

    def __post_init__(self) -> None:
        fx = self.fixtures
        raw = fx.get("resident") or {}
        self._resident = Resident(raw.get("name", ""), str(raw.get("id_number", "")),
                                  birth_date=date.fromisoformat(str(raw["birth_date"]))
                                  if raw.get("birth_date") else None) if raw else None
        self._records = {kind: r for kind, r in (fx.get("records") or {}).items()}
        self._licences = tuple(Licence(**{k: str(v) for k, v in x.items()})
                               for x in fx.get("licences") or ())
        self._benefits = tuple(Benefit(**{k: str(v) for k, v in x.items()})
                               for x in fx.get("benefits") or ())
        app = fx.get("application")
        self._outcome = ApplicationOutcome(str(app["case_number"]),
                                           ApplicationStatus(app["status"]),
                                           app.get("reason", ""), app.get("next_step", ""),
                                           int(app.get("time_limit_days", 0))) if app else None
        self._certs = {}
        for kind, c in (fx.get("certificates") or {}).items():
            table = c.get("table")
            self._certs[kind] = IssuedCertificate(
                str(c["serial"]), kind, c["title"], c["issuer"],
                date.fromisoformat(str(c["issue_date"])),
                tuple((str(a), str(b)) for a, b in c.get("fields", ())),
                DocumentTable(tuple(table["columns"]), tuple(tuple(map(str, r))
                                                              for r in table["rows"]))
                if table else None, tuple(c.get("notes", ())))
        self._issued = {str(c["serial"]): issued_from_fixture(c)
                        for c in fx.get("issued_certificates") or ()}
        self._cases = {n: CaseProgress(n, c["service"], c["status"],
                                       tuple(CaseEvent(**e) for e in c.get("history", ())))
                       for n, c in (fx.get("cases") or {}).items()}
        appt = fx.get("appointment")
        self._appointment = Appointment(str(appt["ticket"]), str(appt.get("window", "")),
                                        int(appt.get("waiting", 0))) if appt else None
        self._devices = {n: DeviceAvailability(True) for n in KNOWN_DEVICES}
        self._pages: dict[tuple[str, int, int], RecordsPage] = {}

    def resident(self) -> Resident | None:
        return self._resident

    def profile(self) -> Mapping[str, str]:
        return self.fixtures.get("profile") or {}

    def prefill(self, service: str) -> Mapping[str, str]:
        return self.fixtures.get("prefill") or {}

    def fetch_records(self, kind: str, page: int, size: int) -> RecordsPage | PortFailure:
        key = (kind, page, size)
        if kind not in self._records:
            return _MISSING
        if key not in self._pages:
            raw = self._records[kind]
            items = raw["items"]
            self._pages[key] = RecordsPage(
                kind, raw["title"], tuple(RecordColumn(c["key"], c["label"])
                                          for c in raw["columns"]),
                tuple(items[(page - 1) * size: page * size]), page, size, len(items),
                raw.get("summary") or {})
        return self._pages[key]

    def licences(self) -> tuple[Licence, ...]:
        return self._licences

    def benefits(self) -> tuple[Benefit, ...]:
        return self._benefits

    def licence_holdings(self, kind: str = "") -> tuple[HeldLicence, ...]:
        return holdings_from_fixture(self.fixtures, kind)

    def licence_copy(self, licence_id: str, purpose: str, idempotency_key: str
                     ) -> IssuedCertificate | PortFailure:
        held = next((h for h in holdings_from_fixture(self.fixtures)
                     if h.licence_id == licence_id), None)
        return _MISSING if held is None else copy_of_holding(held, purpose, "ZZ1", date.today())

    def submit_application(self, request: ApplicationRequest
                           ) -> ApplicationOutcome | PortFailure:
        return self._outcome or _MISSING

    def case_progress(self, case_number: str) -> CaseProgress | PortFailure:
        return self._cases.get(case_number) or _MISSING

    def issue_certificate(self, kind: str, idempotency_key: str, case_number: str = "",
                          additions: CertificateAdditions | None = None,
                          ) -> IssuedCertificate | PortFailure:
        return self._certs.get(kind) or _MISSING

    def book_appointment(self, service: str, idempotency_key: str,
                         day: str = "") -> Appointment | PortFailure:
        return self._appointment or _MISSING

    def issued_certificates(self) -> tuple[CertificateSummary, ...]:
        return tuple(CertificateSummary(c.serial, c.kind, c.additions.title or c.title,
                                        c.issue_date.isoformat())
                     for c in self._issued.values())

    def reissue_certificate(self, serial: str) -> IssuedCertificate | PortFailure:
        return self._issued.get(serial) or _MISSING

    def rate(self, rating: Rating) -> RatingReceipt:
        return RatingReceipt("R1")

    def report_problem(self, report: ProblemReport) -> ProblemReportReceipt:
        return ProblemReportReceipt("P1", 3)

    def print_certificate(self, document: CertificateDocument,
                          reissue: bool = False) -> PrintOutcome:
        return PrintOutcome(True)

    def print_receipt(self, document: ReceiptDocument) -> PrintOutcome:
        return PrintOutcome(True)

    def capture_document(self, name: str) -> CapturedDocument:
        return CapturedDocument(name, "image/jpeg", "0" * 64, b"")

    def devices(self) -> Mapping[str, DeviceAvailability]:
        return self._devices


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


def issued_from_fixture(raw: Mapping[str, Any]) -> IssuedCertificate:
    """An `IssuedCertificate` from a fixture in the platform's JSON shape (with ``additions``)."""
    table = raw.get("table")
    extra = raw.get("additions") or {}
    return IssuedCertificate(
        str(raw["serial"]), str(raw["kind"]), str(raw["title"]), str(raw["issuer"]),
        date.fromisoformat(str(raw["issue_date"])),
        tuple((str(a), str(b)) for a, b in raw.get("fields", ())),
        DocumentTable(tuple(table["columns"]), tuple(tuple(map(str, r)) for r in table["rows"]))
        if table else None, tuple(map(str, raw.get("notes", ()))),
        CertificateAdditions(str(extra.get("title", "")),
                             tuple((str(a), str(b)) for a, b in extra.get("fields", ())),
                             tuple(map(str, extra.get("notes", ())))))


def smoke_service(folder: Path) -> list[Problem]:
    """Drive one service folder over its fixtures to DONE; problems when it cannot."""
    folder = Path(folder)
    flow = str(folder / FLOW_FILE)
    try:
        definition = load_definition(folder)
    except DefinitionError as exc:
        return list(exc.problems)
    try:
        text = (folder / FIXTURES_FILE).read_text(encoding="utf-8")
        fixtures = yaml.safe_load(text) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return [Problem(flow, 1, f"smoke run: no readable {FIXTURES_FILE}")]
    if not isinstance(fixtures, dict):
        return [Problem(flow, 1, f"smoke run: {FIXTURES_FILE} must be a mapping")]
    try:
        ports = ReplayPorts(fixtures)
    except Exception as exc:  # fixtures of an unexpected shape
        return [Problem(flow, 1, f"smoke run: fixtures have an unexpected shape "
                                 f"({type(exc).__name__})")]
    run = FlowRun(definition, ports, today=SMOKE_DATE)
    try:
        views = drive(run, fixtures.get("answers") or {})
    except Stuck as exc:
        step = definition.steps.get(run.page.step)
        return [Problem(flow, step.line if step else 1, f"smoke run: {exc}")]
    except Exception as exc:  # an engine bug must fail the check, not the updater
        step = definition.steps.get(run.page.step)
        return [Problem(flow, step.line if step else 1,
                        f"smoke run crashed on step {run.page.step!r}: "
                        f"{type(exc).__name__}")]
    if views[-1].kind is not StepKind.DONE:  # pragma: no cover - drive only returns at DONE
        return [Problem(flow, 1, "smoke run did not finish")]
    return []


def smoke_run(root: Path) -> list[str]:
    """`BundleCheck`: smoke-run every service folder under ``root``; problems as text lines."""
    root = Path(root)
    folders = [root] if (root / FLOW_FILE).exists() else sorted(
        p for p in root.iterdir() if (p / FLOW_FILE).exists()) if root.is_dir() else []
    return [str(p) for folder in folders for p in smoke_service(folder)]
