"""`kiosk bench flows`: the flow engine's overhead per transition (goal: well under 1 ms).

For every built-in service, one journey is recorded with the headless resident over canned
port answers (built once from the service's fixtures, so port calls cost next to nothing),
then replayed many times: a fresh `FlowRun` and the same intents. The figure is wall time per
`send` (view included). The floor, measured in the same run, is building the same number of
bare `View` objects directly: the least any engine must do to hand the UI a screen.

Certificate rendering against bare reportlab is added by the printing work.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from flows.definition import FlowDefinition, load_definition
from flows.documents import CertificateDocument, DocumentTable, ReceiptDocument
from flows.engine import FlowRun
from flows.headless import drive
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
    DeviceAvailability,
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
from flows.services import BUILTIN_ROOT
from flows.views import Intent, StepKind, View

TODAY = date(2026, 11, 21)


@dataclass
class _CannedPorts:
    """Port answers prepared once from fixtures; every call returns a ready object."""

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

    def submit_application(self, request: ApplicationRequest) -> ApplicationOutcome:
        assert self._outcome is not None
        return self._outcome

    def case_progress(self, case_number: str) -> CaseProgress:
        return self._cases[case_number]

    def issue_certificate(self, kind: str, idempotency_key: str,
                          case_number: str = "") -> IssuedCertificate:
        return self._certs[kind]

    def book_appointment(self, service: str, idempotency_key: str,
                         day: str = "") -> Appointment:
        assert self._appointment is not None
        return self._appointment

    def rate(self, rating: Rating) -> RatingReceipt:
        return RatingReceipt("R1")

    def report_problem(self, report: ProblemReport) -> ProblemReportReceipt:
        return ProblemReportReceipt("P1", 3)

    def print_certificate(self, document: CertificateDocument) -> PrintOutcome:
        return PrintOutcome(True)

    def print_receipt(self, document: ReceiptDocument) -> PrintOutcome:
        return PrintOutcome(True)

    def capture_document(self, name: str) -> CapturedDocument:
        return CapturedDocument(name, "image/jpeg", "0" * 64, b"")

    def devices(self) -> Mapping[str, DeviceAvailability]:
        return self._devices


@dataclass
class _Journey:
    definition: FlowDefinition
    ports: _CannedPorts
    intents: list[Intent]


def _record(folder: Path) -> _Journey:
    definition = load_definition(folder)
    fixtures = yaml.safe_load((folder / "fixtures.yaml").read_text(encoding="utf-8")) or {}
    ports = _CannedPorts(fixtures)
    run = FlowRun(definition, ports, today=TODAY)
    intents: list[Intent] = []
    original = run.send

    def recording(intent: Intent) -> View:
        intents.append(intent)
        return original(intent)

    run.send = recording  # type: ignore[method-assign]
    drive(run, fixtures.get("answers") or {})
    return _Journey(definition, ports, intents)


def _replay(journey: _Journey) -> int:
    run = FlowRun(journey.definition, journey.ports, today=TODAY)
    run.view()
    for intent in journey.intents:
        run.send(intent)
    assert run.finished
    return len(journey.intents)


def _floor(count: int) -> None:
    for i in range(count):
        View(step_id=f"s{i}", kind=StepKind.FORM, title="标题", service_title="服务",
             body="", speech="请输入")


def main(argv: list[str]) -> int:
    """Print per-transition figures for every built-in service and the overall ratio."""
    parser = argparse.ArgumentParser(prog="kiosk bench flows")
    parser.add_argument("--repeat", type=int, default=30, help="replays per service")
    parser.add_argument("--root", type=Path, default=BUILTIN_ROOT)
    args = parser.parse_args(argv)
    folders = sorted(p for p in args.root.iterdir() if (p / "flow.yaml").exists())
    journeys = {f.name: _record(f) for f in folders}
    print(f"flow engine: {len(journeys)} services, {args.repeat} replays each")
    print(f"{'service':<32}{'transitions':>12}{'us/transition':>16}")
    per_transition: list[float] = []
    total_transitions = 0
    total_time = 0.0
    for name, journey in journeys.items():
        _replay(journey)  # warm up
        samples = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            count = _replay(journey)
            samples.append((time.perf_counter() - t0) / count)
        median = statistics.median(samples)
        per_transition.append(median)
        total_transitions += count * args.repeat
        total_time += sum(samples) * count
        print(f"{name:<32}{count:>12}{median * 1e6:>16.1f}")
    t0 = time.perf_counter()
    _floor(total_transitions)
    floor = (time.perf_counter() - t0) / total_transitions
    mean = total_time / total_transitions
    worst = max(per_transition)
    print(f"engine: mean {mean * 1e6:.1f} us/transition, worst service median "
          f"{worst * 1e6:.1f} us (goal < 1000 us)")
    print(f"floor (bare View construction): {floor * 1e6:.2f} us; ratio {mean / floor:.1f}x")
    return 0
