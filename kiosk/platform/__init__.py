"""The service-platform client: typed calls, retries for idempotent calls, typed errors.

`PlatformClient` talks to the API in docs/api/openapi.yaml and reads its answers as the
``Wire...`` models of kiosk.platform.models (pydantic, ADR 0480); every failure is a `PlatformError`
with a closed `ErrorKind` and a plain Chinese ``message`` for the resident.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names below load on first use (requests, pydantic: ADR 0815)
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

#: Where each exported name lives: importing the package stays cheap, so a module that needs
#: only the errors does not load the HTTP stack and the wire models before the first frame.
_HOMES = {"PlatformClient": "kiosk.platform.client", "new_idempotency_key": "kiosk.platform.client",
          "ErrorKind": "kiosk.platform.errors", "PlatformError": "kiosk.platform.errors"}


def __getattr__(name: str) -> Any:
    """Load an exported name from its module on first use."""
    home = _HOMES.get(name, "kiosk.platform.models" if name.startswith("Wire") else None)
    if home is None or name not in __all__:
        raise AttributeError(f"module 'kiosk.platform' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


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
