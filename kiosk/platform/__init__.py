"""The service-platform client: typed calls, retries for idempotent calls, typed errors.

`PlatformClient` talks to the API in docs/api/openapi.yaml; every failure is a `PlatformError`
with a closed `ErrorKind` and a plain Chinese ``message`` for the resident.
"""

from kiosk.platform.client import PlatformClient, new_idempotency_key
from kiosk.platform.errors import ErrorKind, PlatformError
from kiosk.platform.models import (
    ApplicationProgress,
    ApplicationResult,
    ApplicationStatus,
    Appointment,
    Attachment,
    Benefit,
    Certificate,
    CertificateCheck,
    CertificateKind,
    CertificateTable,
    DeviceReport,
    Health,
    HeartbeatAck,
    HeartbeatReport,
    HistoryEntry,
    Licence,
    Prefill,
    ProblemReportReceipt,
    Profile,
    RatingReceipt,
    RecordKind,
    RecordPage,
    ServiceInfo,
    TerminalStatus,
    Verification,
    VerifyMethod,
)

__all__ = [
    "ApplicationProgress",
    "ApplicationResult",
    "ApplicationStatus",
    "Appointment",
    "Attachment",
    "Benefit",
    "Certificate",
    "CertificateCheck",
    "CertificateKind",
    "CertificateTable",
    "DeviceReport",
    "ErrorKind",
    "Health",
    "HeartbeatAck",
    "HeartbeatReport",
    "HistoryEntry",
    "Licence",
    "PlatformClient",
    "PlatformError",
    "Prefill",
    "ProblemReportReceipt",
    "Profile",
    "RatingReceipt",
    "RecordKind",
    "RecordPage",
    "ServiceInfo",
    "TerminalStatus",
    "Verification",
    "VerifyMethod",
    "new_idempotency_key",
]
