"""The service-platform client: typed calls, retries for idempotent calls, typed errors.

`PlatformClient` talks to the API in docs/api/openapi.yaml and reads its answers as the
``Wire...`` models of kiosk.platform.models (pydantic, ADR 0480); every failure is a `PlatformError`
with a closed `ErrorKind` and a plain Chinese ``message`` for the resident.
"""

from kiosk.platform.client import PlatformClient, new_idempotency_key
from kiosk.platform.errors import ErrorKind, PlatformError
from kiosk.platform.models import (
    WireApplicationProgress,
    WireApplicationResult,
    WireApplicationStatus,
    WireAppointment,
    WireAttachment,
    WireBenefit,
    WireCertificate,
    WireCertificateCheck,
    WireCertificateKind,
    WireCertificateTable,
    WireDeviceReport,
    WireHealth,
    WireHeartbeatAck,
    WireHeartbeatReport,
    WireHistoryEntry,
    WireIssuedCertificateSummary,
    WireLicence,
    WirePrefill,
    WireProblemReportReceipt,
    WireProfile,
    WireRatingReceipt,
    WireRecordKind,
    WireRecordPage,
    WireServiceInfo,
    WireTerminalStatus,
    WireVerification,
    WireVerifyMethod,
)

__all__ = [
    "ErrorKind",
    "PlatformClient",
    "PlatformError",
    "WireApplicationProgress",
    "WireApplicationResult",
    "WireApplicationStatus",
    "WireAppointment",
    "WireAttachment",
    "WireBenefit",
    "WireCertificate",
    "WireCertificateCheck",
    "WireCertificateKind",
    "WireCertificateTable",
    "WireDeviceReport",
    "WireHealth",
    "WireHeartbeatAck",
    "WireHeartbeatReport",
    "WireHistoryEntry",
    "WireIssuedCertificateSummary",
    "WireLicence",
    "WirePrefill",
    "WireProblemReportReceipt",
    "WireProfile",
    "WireRatingReceipt",
    "WireRecordKind",
    "WireRecordPage",
    "WireServiceInfo",
    "WireTerminalStatus",
    "WireVerification",
    "WireVerifyMethod",
    "new_idempotency_key",
]
