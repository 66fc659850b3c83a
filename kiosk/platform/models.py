"""Typed results of the service-platform client (frozen dataclasses built from JSON).

Results that hold personal data (profile, certificate, prefill) mask their ``repr`` so that an
accidental log line or assertion message never carries a name or a full ID number.
Each ``from_json`` accepts extra fields (the API may grow) and keeps them in ``extra``.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from drivers.status import DeviceStatus
from flows.documents import CertificateAdditions, CertificateDocument, DocumentTable
from identifiers.masking import mask_id_number


class VerifyMethod(StrEnum):
    """How the resident identified."""

    IDCARD = "idcard"
    SSCARD = "sscard"
    QRCODE = "qrcode"
    FACE = "face"


class RecordKind(StrEnum):
    """Record queries the platform answers (``GET /v1/residents/{token}/records/{kind}``)."""

    SOCIAL_INSURANCE_PAYMENTS = "social-insurance-payments"  # 社保缴费记录
    MEDICAL_INSURANCE_ACCOUNT = "medical-insurance-account"  # 医保账户
    PROVIDENT_FUND_DEPOSITS = "provident-fund-deposits"  # 公积金缴存明细
    ARCHIVES = "archives"  # 个人档案存放
    APPLICATIONS = "applications"  # 办件进度


class CertificateKind(StrEnum):
    """Certificates the platform issues (``POST /v1/certificates``)."""

    SOCIAL_INSURANCE_PAYMENT = "social-insurance-payment"  # 社保缴费证明
    PERSONAL_RIGHTS_RECORD = "personal-rights-record"  # 个人权益记录
    PROVIDENT_FUND_DEPOSIT = "provident-fund-deposit"  # 公积金缴存证明
    MARRIAGE_RECORD = "marriage-record"  # 婚姻登记记录证明
    NO_CRIMINAL_RECORD = "no-criminal-record"  # 无犯罪记录证明
    BUSINESS_LICENCE = "business-licence"  # 营业执照打印
    TAX_PAYMENT = "tax-payment"  # 纳税证明
    ACCEPTANCE_RECEIPT = "acceptance-receipt"  # 受理回执补打


class ApplicationStatus(StrEnum):
    """Outcome of an application."""

    ACCEPTED = "accepted"  # 已受理: a person reviews it within time_limit_days
    APPROVED = "approved"  # 已办结: approved automatically
    REFUSED = "refused"  # 不予受理: see reason


def _rest(data: dict[str, Any], known: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in known}


@dataclass(frozen=True, slots=True)
class Health:
    """``GET /v1/health``."""

    status: str
    version: str
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Health:
        """Build from the JSON answer."""
        return cls(
            str(data.get("status", "")),
            str(data.get("version", "")),
            _rest(data, ("status", "version")),
        )


@dataclass(frozen=True, slots=True)
class Verification:
    """``POST /v1/identity/verify``: a token when verified, a reason when not."""

    resident_token: str
    display_name: str  # masked (张*)
    verified: bool
    reason: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Verification:
        """Build from the JSON answer."""
        return cls(
            str(data.get("resident_token") or ""),
            str(data.get("display_name", "")),
            bool(data.get("verified")),
            str(data.get("reason") or ""),
        )

    def __repr__(self) -> str:
        return f"Verification(verified={self.verified}, display_name={self.display_name!r})"


@dataclass(frozen=True, slots=True)
class Profile:
    """Pre-fill data the government holds about the resident."""

    name: str
    id_number: str
    sex: str = ""
    birth_date: str = ""
    phone: str = ""
    address: str = ""
    household_address: str = ""
    employer: str = ""
    marital_status: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    FIELDS = (
        "name",
        "id_number",
        "sex",
        "birth_date",
        "phone",
        "address",
        "household_address",
        "employer",
        "marital_status",
    )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Profile:
        """Build from the JSON answer."""
        values = {k: str(data.get(k) or "") for k in cls.FIELDS}
        return cls(**values, extra=_rest(data, cls.FIELDS))

    def personal_strings(self) -> tuple[str, ...]:
        """Strings to register with the log redactor for the session."""
        return (self.name, self.id_number, self.phone, self.address, self.household_address)

    def __repr__(self) -> str:
        return f"Profile(id={mask_id_number(self.id_number)})"


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a record table."""

    key: str
    label: str


@dataclass(frozen=True, slots=True)
class RecordPage:
    """One page of a record query (社保缴费记录, 医保账户, ...)."""

    kind: str
    title: str
    columns: tuple[Column, ...]
    items: tuple[dict[str, Any], ...]
    page: int
    size: int
    total: int
    summary: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RecordPage:
        """Build from the JSON answer."""
        return cls(
            kind=str(data["kind"]),
            title=str(data.get("title", "")),
            columns=tuple(Column(str(c["key"]), str(c["label"])) for c in data.get("columns", [])),
            items=tuple(dict(i) for i in data.get("items", [])),
            page=int(data.get("page", 1)),
            size=int(data.get("size", 0)),
            total=int(data.get("total", 0)),
            summary=dict(data.get("summary") or {}),
        )

    @property
    def pages(self) -> int:
        """Number of pages at this page size."""
        return max(1, -(-self.total // self.size)) if self.size else 1

    def rows(self) -> list[list[str]]:
        """The items as rows of strings in column order (for a table on screen or paper)."""
        return [[str(item.get(c.key, "")) for c in self.columns] for item in self.items]

    def __repr__(self) -> str:
        return f"RecordPage(kind={self.kind}, page={self.page}, items={len(self.items)})"


@dataclass(frozen=True, slots=True)
class Licence:
    """One electronic licence (电子证照) with its GB/T 36904 identifier."""

    licence_id: str
    type: str
    title: str
    issuer: str
    valid_to: str
    extra: dict[str, Any] = field(default_factory=dict)

    FIELDS = ("licence_id", "type", "title", "issuer", "valid_to")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Licence:
        """Build from the JSON answer."""
        values = {k: str(data.get(k, "")) for k in cls.FIELDS}
        return cls(**values, extra=_rest(data, cls.FIELDS))

    def __repr__(self) -> str:
        return f"Licence(type={self.type}, title={self.title})"


@dataclass(frozen=True, slots=True)
class Benefit:
    """A benefit the resident already qualifies for (免申即享)."""

    code: str
    title: str
    amount: str
    reason: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Benefit:
        """Build from the JSON answer."""
        return cls(*(str(data.get(k, "")) for k in ("code", "title", "amount", "reason")))


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """A service with rules at the platform and the answers it needs (key -> label)."""

    code: str
    title: str
    answers: dict[str, str]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ServiceInfo:
        """Build from the JSON answer."""
        return cls(str(data["code"]), str(data.get("title", "")), dict(data.get("answers", {})))


@dataclass(frozen=True, slots=True)
class Prefill:
    """Form answers the platform can fill in for a service."""

    service: str
    fields: dict[str, Any]

    def __repr__(self) -> str:
        return f"Prefill(service={self.service}, keys={sorted(self.fields)})"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file attached to an application (a photo of a document)."""

    name: str
    content_type: str
    data: bytes = field(repr=False)

    def to_json(self) -> dict[str, str]:
        """The wire form: name, content type, SHA-256 and base64 data."""
        return {
            "name": self.name,
            "content_type": self.content_type,
            "sha256": hashlib.sha256(self.data).hexdigest(),
            "data_b64": base64.b64encode(self.data).decode("ascii"),
        }


@dataclass(frozen=True, slots=True)
class ApplicationResult:
    """The platform's answer to a submission."""

    case_number: str
    status: ApplicationStatus
    reason: str
    next_step: str
    time_limit_days: int
    service: str = ""
    service_title: str = ""
    submitted_at: str = ""
    idempotency_key: str = ""
    replayed: bool = False  # the platform had this key already and answered from memory

    @classmethod
    def from_json(
        cls, data: dict[str, Any], key: str = "", replayed: bool = False
    ) -> ApplicationResult:
        """Build from the JSON answer."""
        return cls(
            case_number=str(data["case_number"]),
            status=ApplicationStatus(data["status"]),
            reason=str(data.get("reason", "")),
            next_step=str(data.get("next_step", "")),
            time_limit_days=int(data.get("time_limit_days") or 0),
            service=str(data.get("service", "")),
            service_title=str(data.get("service_title", "")),
            submitted_at=str(data.get("submitted_at", "")),
            idempotency_key=key,
            replayed=replayed,
        )


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One step in a case's history."""

    at: str
    status: str
    label: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class ApplicationProgress:
    """``GET /v1/applications/{case_number}`` (办件进度)."""

    case_number: str
    service: str
    status: ApplicationStatus
    history: tuple[HistoryEntry, ...]
    service_title: str = ""
    status_label: str = ""
    reason: str = ""
    next_step: str = ""
    time_limit_days: int = 0

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ApplicationProgress:
        """Build from the JSON answer."""
        return cls(
            case_number=str(data["case_number"]),
            service=str(data.get("service", "")),
            status=ApplicationStatus(data["status"]),
            history=tuple(
                HistoryEntry(
                    str(h.get("at", "")),
                    str(h.get("status", "")),
                    str(h.get("label", "")),
                    str(h.get("note", "")),
                )
                for h in data.get("history", [])
            ),
            service_title=str(data.get("service_title", "")),
            status_label=str(data.get("status_label", "")),
            reason=str(data.get("reason", "")),
            next_step=str(data.get("next_step", "")),
            time_limit_days=int(data.get("time_limit_days") or 0),
        )


@dataclass(frozen=True, slots=True)
class CertificateTable:
    """The table printed on a certificate."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Certificate:
    """An issued certificate: content to print, with a serial unique forever."""

    serial: str
    kind: str
    title: str
    issuer: str
    issue_date: date
    fields: tuple[tuple[str, str], ...]
    table: CertificateTable | None
    notes: tuple[str, ...]
    holder_name: str = ""
    holder_id_number: str = ""
    seal_text: str = ""
    idempotency_key: str = ""
    replayed: bool = False
    additions: CertificateAdditions = field(default_factory=CertificateAdditions)

    @classmethod
    def from_json(cls, data: dict[str, Any], key: str = "", replayed: bool = False) -> Certificate:
        """Build from the JSON answer."""
        table = data.get("table")
        extra = data.get("additions") or {}
        return cls(
            serial=str(data["serial"]),
            kind=str(data["kind"]),
            title=str(data.get("title", "")),
            issuer=str(data.get("issuer", "")),
            issue_date=date.fromisoformat(str(data["issue_date"])),
            fields=tuple((str(f[0]), str(f[1])) for f in data.get("fields", [])),
            table=(
                CertificateTable(
                    tuple(str(c) for c in table["columns"]),
                    tuple(tuple(str(v) for v in row) for row in table["rows"]),
                )
                if table
                else None
            ),
            notes=tuple(str(n) for n in data.get("notes", [])),
            holder_name=str(data.get("holder_name", "")),
            holder_id_number=str(data.get("holder_id_number", "")),
            seal_text=str(data.get("seal_text") or data.get("issuer", "")),
            idempotency_key=key,
            replayed=replayed,
            additions=CertificateAdditions(
                title=str(extra.get("title", "")),
                fields=tuple((str(f[0]), str(f[1])) for f in extra.get("fields", [])),
                notes=tuple(str(n) for n in extra.get("notes", [])),
            ),
        )

    def to_document(self) -> CertificateDocument:
        """The printable document for the certificate renderer (flows.documents)."""
        return CertificateDocument(
            kind=self.kind,
            title=self.title,
            serial=self.serial,
            holder_name=self.holder_name,
            holder_id_number=self.holder_id_number,
            issuer=self.issuer,
            issue_date=self.issue_date,
            fields=self.fields,
            table=DocumentTable(self.table.columns, self.table.rows) if self.table else None,
            notes=self.notes,
            seal_text=self.seal_text,
        )

    def __repr__(self) -> str:
        return f"Certificate(kind={self.kind}, serial={self.serial})"


@dataclass(frozen=True, slots=True)
class IssuedCertificateSummary:
    """``GET /v1/residents/{token}/certificates`` item: a certificate issued to the resident."""

    serial: str
    kind: str
    title: str
    issue_date: date

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IssuedCertificateSummary:
        """Build from one JSON item."""
        return cls(
            serial=str(data["serial"]),
            kind=str(data["kind"]),
            title=str(data.get("title", "")),
            issue_date=date.fromisoformat(str(data["issue_date"])),
        )


@dataclass(frozen=True, slots=True)
class CertificateCheck:
    """``GET /v1/certificates/{serial}``: is a printed serial genuine (holder masked)."""

    serial: str
    valid: bool
    kind: str
    title: str
    issue_date: str
    holder_masked: str
    holder_id_masked: str
    content_sha256: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CertificateCheck:
        """Build from the JSON answer."""
        return cls(
            str(data["serial"]),
            bool(data.get("valid")),
            str(data.get("kind", "")),
            str(data.get("title", "")),
            str(data.get("issue_date", "")),
            str(data.get("holder_masked", "")),
            str(data.get("holder_id_masked", "")),
            str(data.get("content_sha256", "")),
        )


@dataclass(frozen=True, slots=True)
class Appointment:
    """A queue ticket (预约取号)."""

    ticket: str
    window: str
    waiting: int
    date: str = ""
    service_title: str = ""
    idempotency_key: str = ""
    replayed: bool = False

    @classmethod
    def from_json(cls, data: dict[str, Any], key: str = "", replayed: bool = False) -> Appointment:
        """Build from the JSON answer."""
        return cls(
            str(data["ticket"]),
            str(data.get("window", "")),
            int(data.get("waiting") or 0),
            str(data.get("date", "")),
            str(data.get("service_title", "")),
            key,
            replayed,
        )


@dataclass(frozen=True, slots=True)
class RatingReceipt:
    """A recorded rating (好差评)."""

    rating_id: str
    idempotency_key: str = ""
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class ProblemReportReceipt:
    """A recorded 办不成事 report and when the resident will hear back."""

    report_id: str
    reply_within_days: int
    idempotency_key: str = ""
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class DeviceReport:
    """One device's status in a heartbeat."""

    state: str  # drivers.status DeviceState value
    supplies: str = "unknown"  # SupplyState value (or "n/a")
    reason: str = ""

    @classmethod
    def from_status(cls, status: DeviceStatus) -> DeviceReport:
        """From a driver's status (supplies "n/a" for devices without any)."""
        supplies = status.supplies.value if status.supplies is not None else "n/a"
        return cls(status.state.value, supplies, status.reason)

    def to_json(self) -> dict[str, str]:
        """Wire form."""
        return {"state": self.state, "supplies": self.supplies, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class HeartbeatReport:
    """What a terminal reports about itself on an interval (fleet monitoring)."""

    app_version: str
    bundle_version: str
    devices: dict[str, DeviceReport]
    outbox_depth: int = 0
    sessions: int = 0
    ratings: int = 0
    last_update: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Wire form."""
        return {
            "app_version": self.app_version,
            "bundle_version": self.bundle_version,
            "devices": {name: d.to_json() for name, d in self.devices.items()},
            "outbox_depth": self.outbox_depth,
            "sessions": self.sessions,
            "ratings": self.ratings,
            "last_update": self.last_update,
        }


@dataclass(frozen=True, slots=True)
class HeartbeatAck:
    """The platform's answer to a heartbeat."""

    ok: bool
    server_time: str


@dataclass(frozen=True, slots=True)
class TerminalStatus:
    """The latest heartbeat of one terminal, as the fleet list shows it."""

    terminal_id: str
    app_version: str
    bundle_version: str
    devices: dict[str, dict[str, Any]]
    outbox_depth: int
    sessions: int
    ratings: int
    last_seen: str
    seconds_since_seen: int
    heartbeats: int
    last_update: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TerminalStatus:
        """Build from the JSON answer."""

        def number(key: str) -> int:
            value = data.get(key)
            return value if isinstance(value, int) else 0

        return cls(
            terminal_id=str(data["terminal_id"]),
            app_version=str(data.get("app_version", "")),
            bundle_version=str(data.get("bundle_version", "")),
            devices=dict(data.get("devices") or {}),
            outbox_depth=number("outbox_depth"),
            sessions=number("sessions"),
            ratings=number("ratings"),
            last_seen=str(data.get("last_seen", "")),
            seconds_since_seen=number("seconds_since_seen"),
            heartbeats=number("heartbeats"),
            last_update=dict(data.get("last_update") or {}),
        )

    def paper(self) -> str:
        """The worst paper supply over the printers ("ok", "low", "out", ... or "")."""
        order = ["out", "jammed", "cover_open", "low", "unknown", "ok"]
        found = [
            str(d.get("supplies", ""))
            for d in self.devices.values()
            if isinstance(d, dict) and d.get("supplies") not in (None, "", "n/a")
        ]
        for level in order:
            if level in found:
                return level
        return found[0] if found else ""
