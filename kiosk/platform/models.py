"""Wire models of the service platform: the JSON bodies of docs/api/openapi.yaml as pydantic
models (docs/adr/0480-wire-models-pydantic-wire-prefix.md).

Naming: every class here is called ``Wire...``, so that none shares its name with a port type of
`flows.ports` (``fp.Licence`` is what a flow sees, `WireLicence` what the platform sends);
kiosk.adapters maps one to the other.

Reading an answer: ``WireX.model_validate(json)``. Scalars are strict (a number where the API
says text, text where it says a number, is refused, never converted); lists arrive as tuples;
fields the API may add later are ignored (`WireHealth`, `WireProfile` and `WireLicence` keep
them in ``extra``). A `pydantic.ValidationError` is turned into a `PlatformError` by the client;
it never reaches a caller. Where the API names a field as optional the model keeps the default
the old hand-written readers used ("" or 0, also for ``null``), so valid answers read as before.

Models that hold personal data (profile, verification, certificate, prefill) mask their
``repr`` and ``str`` so that an accidental log line or assertion message never carries a name
or a full ID number.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    StrictInt,
    StrictStr,
    computed_field,
    model_validator,
)

from drivers.status import DeviceStatus
from flows.documents import CertificateAdditions, CertificateDocument, DocumentTable
from identifiers.masking import mask_id_number


def _none_to(empty: Any) -> BeforeValidator:
    """``null`` reads as ``empty`` (the old readers' ``data.get(k) or ""``)."""
    return BeforeValidator(lambda value: empty if value is None else value)


def _iso_date(value: Any) -> date:
    if not isinstance(value, str):
        raise ValueError("an ISO date as text")
    return date.fromisoformat(value)


def _lenient_count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _lenient_object(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def _lenient_text(value: Any) -> str:
    return value if isinstance(value, str) else ""


#: Text that may be ``null`` on the wire (read as "").
OptText = Annotated[StrictStr, _none_to("")]
#: A count that may be ``null`` on the wire (read as 0).
OptCount = Annotated[StrictInt, _none_to(0)]
#: An object that may be ``null`` on the wire (read as {}).
OptObject = Annotated[dict[str, Any], _none_to({})]
#: ``YYYY-MM-DD`` text read as a date.
IsoDate = Annotated[date, PlainValidator(_iso_date)]


class WireModel(BaseModel):
    """Base of the wire models: frozen; unknown fields ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class WireOpenModel(WireModel):
    """A wire model that keeps unknown fields (``extra``): the API may grow."""

    model_config = ConfigDict(frozen=True, extra="allow")

    @property
    def extra(self) -> dict[str, Any]:
        """The fields the API sent that this model does not name."""
        return dict(self.model_extra or {})


M = TypeVar("M", bound=BaseModel)


class WireItems(WireModel, Generic[M]):
    """A list answer: ``{"items": [...]}``."""

    items: tuple[M, ...]


class WireVerifyMethod(StrEnum):
    """How the resident identified."""

    IDCARD = "idcard"
    SSCARD = "sscard"
    QRCODE = "qrcode"
    FACE = "face"


class WireRecordKind(StrEnum):
    """Record queries the platform answers (``GET /v1/residents/{token}/records/{kind}``)."""

    SOCIAL_INSURANCE_PAYMENTS = "social-insurance-payments"  # 社保缴费记录
    MEDICAL_INSURANCE_ACCOUNT = "medical-insurance-account"  # 医保账户
    PROVIDENT_FUND_DEPOSITS = "provident-fund-deposits"  # 公积金缴存明细
    ARCHIVES = "archives"  # 个人档案存放
    APPLICATIONS = "applications"  # 办件进度
    ENTERPRISE_TAX = "enterprise-tax"  # 企业纳税记录 (法人)
    ENTERPRISE_SOCIAL_INSURANCE = "enterprise-social-insurance"  # 单位社保缴费记录 (法人)


class WireCertificateKind(StrEnum):
    """Certificates the platform issues (``POST /v1/certificates``)."""

    SOCIAL_INSURANCE_PAYMENT = "social-insurance-payment"  # 社保缴费证明
    PERSONAL_RIGHTS_RECORD = "personal-rights-record"  # 个人权益记录
    PROVIDENT_FUND_DEPOSIT = "provident-fund-deposit"  # 公积金缴存证明
    MARRIAGE_RECORD = "marriage-record"  # 婚姻登记记录证明
    NO_CRIMINAL_RECORD = "no-criminal-record"  # 无犯罪记录证明
    BUSINESS_LICENCE = "business-licence"  # 营业执照打印
    TAX_PAYMENT = "tax-payment"  # 纳税证明
    ACCEPTANCE_RECEIPT = "acceptance-receipt"  # 受理回执补打


class WireApplicationStatus(StrEnum):
    """Outcome of an application, as the platform says it."""

    ACCEPTED = "accepted"  # 已受理: a person reviews it within time_limit_days
    APPROVED = "approved"  # 已办结: approved automatically
    REFUSED = "refused"  # 不予受理: see reason


class WireHealth(WireOpenModel):
    """``GET /v1/health``."""

    status: StrictStr = ""
    version: StrictStr = ""


class WireVerification(WireModel):
    """``POST /v1/identity/verify``: a token when verified, a reason when not."""

    verified: StrictBool
    resident_token: OptText = ""
    display_name: StrictStr = ""  # masked (张*)
    reason: OptText = ""

    def __repr_args__(self) -> Any:
        return [("verified", self.verified), ("display_name", self.display_name)]


class WireEnterpriseVerification(WireModel):
    """``POST /v1/enterprises/verify``: a token for the legal representative acting for the
    enterprise, with its name and credit code; a reason when not verified."""

    verified: StrictBool
    resident_token: OptText = ""
    display_name: StrictStr = ""  # the representative, masked (张*)
    enterprise_name: OptText = ""
    credit_code: OptText = ""
    reason: OptText = ""

    def __repr_args__(self) -> Any:
        return [("verified", self.verified)]


class WireProfile(WireOpenModel):
    """Pre-fill data the government holds about the resident."""

    name: OptText = ""
    id_number: OptText = ""
    sex: OptText = ""
    birth_date: OptText = ""
    phone: OptText = ""
    address: OptText = ""
    household_address: OptText = ""
    employer: OptText = ""
    marital_status: OptText = ""

    def personal_strings(self) -> tuple[str, ...]:
        """Strings to register with the log redactor for the session."""
        return (self.name, self.id_number, self.phone, self.address, self.household_address)

    def __repr_args__(self) -> Any:
        return [("id", mask_id_number(self.id_number))]


class WireColumn(WireModel):
    """One column of a record table."""

    key: StrictStr
    label: StrictStr


class WireRecordPage(WireModel):
    """One page of a record query (社保缴费记录, 医保账户, ...)."""

    kind: StrictStr
    title: StrictStr = ""
    columns: tuple[WireColumn, ...] = ()
    items: tuple[dict[str, Any], ...] = ()
    page: StrictInt = 1
    size: StrictInt = 0
    total: StrictInt = 0
    summary: OptObject = Field(default_factory=dict)

    @property
    def pages(self) -> int:
        """Number of pages at this page size."""
        return max(1, -(-self.total // self.size)) if self.size else 1

    def rows(self) -> list[list[str]]:
        """The items as rows of strings in column order (for a table on screen or paper)."""
        return [[str(item.get(c.key, "")) for c in self.columns] for item in self.items]

    def __repr_args__(self) -> Any:
        return [("kind", self.kind), ("page", self.page), ("items", len(self.items))]


class WireLicence(WireOpenModel):
    """One electronic licence (电子证照) with its GB/T 36904 identifier."""

    licence_id: StrictStr = ""
    type: StrictStr = ""
    title: StrictStr = ""
    issuer: StrictStr = ""
    valid_to: StrictStr = ""

    def __repr_args__(self) -> Any:
        return [("type", self.type), ("title", self.title)]


class WireBenefit(WireModel):
    """A benefit the resident already qualifies for (免申即享)."""

    code: StrictStr = ""
    title: StrictStr = ""
    amount: StrictStr = ""
    reason: StrictStr = ""


class WireServiceInfo(WireModel):
    """A service with rules at the platform and the answers it needs (key -> label)."""

    code: StrictStr
    title: StrictStr = ""
    answers: dict[StrictStr, StrictStr] = Field(default_factory=dict)


class WirePrefill(WireModel):
    """Form answers the platform can fill in for a service (``service`` is the one asked)."""

    service: StrictStr
    fields: dict[str, Any]

    def __repr_args__(self) -> Any:
        return [("service", self.service), ("keys", sorted(self.fields))]


class WireAttachment(WireModel):
    """A file attached to an application (a photo of a document); built by the kiosk.

    ``model_dump()`` is the wire form: name, content type, SHA-256 and base64 data.
    """

    name: StrictStr
    content_type: StrictStr
    data: bytes = Field(repr=False, exclude=True)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the data (the platform checks it)."""
        return hashlib.sha256(self.data).hexdigest()

    @computed_field  # type: ignore[prop-decorator]
    @property
    def data_b64(self) -> str:
        """The data, base64."""
        return base64.b64encode(self.data).decode("ascii")


class WireApplicationResult(WireModel):
    """The platform's answer to a submission (``idempotency_key`` and ``replayed`` are the
    client's: the key it sent and whether the platform answered from memory)."""

    case_number: StrictStr
    status: WireApplicationStatus
    reason: StrictStr = ""
    next_step: StrictStr = ""
    time_limit_days: OptCount = 0
    service: StrictStr = ""
    service_title: StrictStr = ""
    submitted_at: StrictStr = ""
    idempotency_key: str = ""
    replayed: bool = False


class WireHistoryEntry(WireModel):
    """One step in a case's history."""

    at: StrictStr = ""
    status: StrictStr = ""
    label: StrictStr = ""
    note: StrictStr = ""


class WireApplicationProgress(WireModel):
    """``GET /v1/applications/{case_number}`` (办件进度)."""

    case_number: StrictStr
    status: WireApplicationStatus
    service: StrictStr = ""
    history: tuple[WireHistoryEntry, ...] = ()
    service_title: StrictStr = ""
    status_label: StrictStr = ""
    reason: StrictStr = ""
    next_step: StrictStr = ""
    time_limit_days: OptCount = 0


class WireCertificateTable(WireModel):
    """The table printed on a certificate."""

    columns: tuple[StrictStr, ...]
    rows: tuple[tuple[StrictStr, ...], ...]


class _WireAdditions(WireModel):
    title: StrictStr = ""
    fields: tuple[tuple[StrictStr, StrictStr], ...] = ()
    notes: tuple[StrictStr, ...] = ()


def _additions(value: Any) -> Any:
    if value is None:
        return CertificateAdditions()
    if isinstance(value, CertificateAdditions):
        return value
    read = _WireAdditions.model_validate(value)
    return CertificateAdditions(read.title, read.fields, read.notes)


class WireCertificate(WireModel):
    """An issued certificate: content to print, with a serial unique forever."""

    serial: StrictStr
    kind: StrictStr
    issue_date: IsoDate
    title: StrictStr = ""
    issuer: StrictStr = ""
    fields: tuple[tuple[StrictStr, StrictStr], ...] = ()
    table: WireCertificateTable | None = None
    notes: tuple[StrictStr, ...] = ()
    holder_name: StrictStr = ""
    holder_id_number: StrictStr = ""
    seal_text: OptText = ""
    #: A licence copy's usage line (此件仅供办理政务服务事项时使用 · 用途 · 有效期); "" otherwise.
    usage: OptText = ""
    idempotency_key: str = ""
    replayed: bool = False
    additions: Annotated[CertificateAdditions, BeforeValidator(_additions)] = Field(
        default_factory=CertificateAdditions
    )

    @model_validator(mode="before")
    @classmethod
    def _seal_defaults_to_issuer(cls, data: Any) -> Any:
        """The seal reads the issuer's name when the platform names no seal."""
        if isinstance(data, dict) and not data.get("seal_text"):
            return {**data, "seal_text": data.get("issuer", "")}
        return data

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

    def __repr_args__(self) -> Any:
        return [("kind", self.kind), ("serial", self.serial)]


class WireIssuedCertificateSummary(WireModel):
    """``GET /v1/residents/{token}/certificates`` item: a certificate issued to the resident."""

    serial: StrictStr
    kind: StrictStr
    issue_date: IsoDate
    title: StrictStr = ""


class WireCertificateCheck(WireModel):
    """``GET /v1/certificates/{serial}``: is a printed serial genuine (holder masked)."""

    serial: StrictStr
    valid: StrictBool = False
    kind: StrictStr = ""
    title: StrictStr = ""
    issue_date: StrictStr = ""
    holder_masked: StrictStr = ""
    holder_id_masked: StrictStr = ""
    content_sha256: StrictStr = ""


class WireAppointment(WireModel):
    """A queue ticket (预约取号)."""

    ticket: StrictStr
    window: StrictStr = ""
    waiting: OptCount = 0
    date: StrictStr = ""
    service_title: StrictStr = ""
    idempotency_key: str = ""
    replayed: bool = False


class WireRatingReceipt(WireModel):
    """A recorded rating (好差评)."""

    rating_id: StrictStr
    idempotency_key: str = ""
    replayed: bool = False


class WireProblemReportReceipt(WireModel):
    """A recorded 办不成事 report and when the resident will hear back."""

    report_id: StrictStr
    reply_within_days: StrictInt
    idempotency_key: str = ""
    replayed: bool = False


class WireDeviceReport(WireModel):
    """One device's status in a heartbeat."""

    state: str  # drivers.status DeviceState value
    supplies: str = "unknown"  # SupplyState value (or "n/a")
    reason: str = ""

    @classmethod
    def from_status(cls, status: DeviceStatus) -> WireDeviceReport:
        """From a driver's status (supplies "n/a" for devices without any)."""
        supplies = status.supplies.value if status.supplies is not None else "n/a"
        return cls(state=status.state.value, supplies=supplies, reason=status.reason)


class WireHeartbeatReport(WireModel):
    """What a terminal reports about itself on an interval (fleet monitoring); built by the
    kiosk, sent as ``model_dump(mode="json")``."""

    app_version: str
    bundle_version: str
    devices: dict[str, WireDeviceReport]
    outbox_depth: int = 0
    sessions: int = 0
    ratings: int = 0
    last_update: dict[str, Any] = Field(default_factory=dict)
    #: The notAfter of the terminal's client certificate (ISO 8601, UTC); None when unknown.
    cert_not_after: str | None = None


class WireHeartbeatAck(WireModel):
    """The platform's answer to a heartbeat."""

    ok: StrictBool
    server_time: StrictStr


class WireTerminalStatus(WireModel):
    """The latest heartbeat of one terminal, as the fleet list shows it.

    Apart from ``terminal_id``, the fields are what some terminal reported: a value of the wrong
    type reads as empty (or 0), so one terminal's odd report never hides the whole fleet.
    """

    terminal_id: StrictStr
    app_version: Annotated[str, PlainValidator(_lenient_text)] = ""
    bundle_version: Annotated[str, PlainValidator(_lenient_text)] = ""
    devices: Annotated[dict[str, Any], PlainValidator(_lenient_object)] = Field(
        default_factory=dict
    )
    outbox_depth: Annotated[int, PlainValidator(_lenient_count)] = 0
    sessions: Annotated[int, PlainValidator(_lenient_count)] = 0
    ratings: Annotated[int, PlainValidator(_lenient_count)] = 0
    last_seen: Annotated[str, PlainValidator(_lenient_text)] = ""
    seconds_since_seen: Annotated[int, PlainValidator(_lenient_count)] = 0
    heartbeats: Annotated[int, PlainValidator(_lenient_count)] = 0
    last_update: Annotated[dict[str, Any], PlainValidator(_lenient_object)] = Field(
        default_factory=dict
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
