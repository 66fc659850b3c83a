"""The service-platform client (requests), per docs/api/openapi.yaml.

Workflow of one call: build the request; every POST carries an ``Idempotency-Key`` (a new UUID,
or the caller's own so that a journaled submission reuses it after a crash); send it with a
per-call timeout; on a connection failure, a timeout or 502/503/504 retry with exponential backoff
(``backoff_seconds`` doubled each time) - but only when the call is idempotent: a GET, or a POST
carrying an Idempotency-Key; turn the final outcome into a typed result or a `PlatformError`.
Logs carry the operation name, status, attempt and milliseconds - never a token, name or number.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any
from urllib.parse import quote

import requests

from flows.documents import CertificateAdditions
from kiosk.core.events import log_event
from kiosk.platform.errors import ErrorKind, PlatformError, kind_for_status
from kiosk.platform.licences import LicenceCalls
from kiosk.platform.models import (
    ApplicationProgress,
    ApplicationResult,
    Appointment,
    Attachment,
    Benefit,
    Certificate,
    CertificateCheck,
    Health,
    HeartbeatAck,
    HeartbeatReport,
    IssuedCertificateSummary,
    Licence,
    Prefill,
    ProblemReportReceipt,
    Profile,
    RatingReceipt,
    RecordPage,
    ServiceInfo,
    TerminalStatus,
    Verification,
    VerifyMethod,
)

LOG = logging.getLogger("kiosk.platform")

DEFAULT_TIMEOUT_SECONDS = 5.0
DEFAULT_RETRIES = 2
DEFAULT_BACKOFF_SECONDS = 0.3
MAX_BACKOFF_SECONDS = 5.0  # one wait never exceeds this, however many retries
UPLOAD_SECONDS_PER_MB = 2.0  # extra read time allowed per MB of attachments
RETRY_STATUSES = frozenset({502, 503, 504})
REPLAY_HEADER = "Idempotent-Replayed"


def new_idempotency_key() -> str:
    """A fresh idempotency key (UUID4 text)."""
    return str(uuid.uuid4())


class PlatformClient(LicenceCalls):  # LicenceCalls: kiosk/platform/licences.py (h-catalogue)
    """Typed calls to the service platform; usable from several threads (one session each)."""

    def __init__(
        self,
        base_url: str,
        *,
        terminal_id: str = "",
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        retries: int = DEFAULT_RETRIES,
        backoff_seconds: float = DEFAULT_BACKOFF_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ) -> None:
        if not base_url:
            raise ValueError("base_url is empty")
        self.base_url = base_url.rstrip("/")
        self.terminal_id = terminal_id
        self.timeout_seconds = timeout_seconds
        self.retries = retries
        self.backoff_seconds = backoff_seconds
        self._sleep = sleep
        self._shared = session
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()
        self._headers = {"Accept": "application/json", "User-Agent": "kiosk-terminal/1"}

    @classmethod
    def from_settings(
        cls, platform: Any, terminal_id: str, base_url: str | None = None
    ) -> PlatformClient:
        """Build from `kiosk.boot.settings.PlatformSettings` (``base_url`` overrides, e.g.
        sandbox)."""
        return cls(
            base_url or platform.base_url,
            terminal_id=terminal_id,
            timeout_seconds=platform.timeout_seconds,
            retries=platform.retries,
            backoff_seconds=platform.backoff_seconds,
        )

    def _session(self) -> requests.Session:
        """The calling thread's session (requests does not promise a Session is thread-safe)."""
        if self._shared is not None:
            return self._shared
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.update(self._headers)
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        """Close pooled connections of every thread."""
        with self._sessions_lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()
        self._local = threading.local()
        if self._shared is not None:
            self._shared.close()

    def __enter__(self) -> PlatformClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport ---------------------------------------------------------------------------

    def _backoff(self, attempt: int) -> float:
        return min(self.backoff_seconds * (2**attempt), MAX_BACKOFF_SECONDS)

    def _request(
        self,
        op: str,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Mapping[str, Any] | None = None,
        key: str | None = None,
        timeout_seconds: float | None = None,
    ) -> tuple[Any, bool]:
        """Send with retries; return (JSON answer, replayed) or raise `PlatformError`."""
        headers = {"Idempotency-Key": key} if key else {}
        retryable = method == "GET" or key is not None
        attempts = 1 + (max(0, self.retries) if retryable else 0)
        timeout = timeout_seconds or self.timeout_seconds
        last: PlatformError | None = None
        for attempt in range(attempts):
            if attempt:
                self._sleep(self._backoff(attempt - 1))
            started = time.monotonic()
            try:
                response = self._session().request(
                    method,
                    self.base_url + path,
                    json=body,
                    params=params,
                    headers=headers,
                    timeout=timeout,
                )
            except requests.ConnectTimeout:
                # Nothing answered the connection (host or route down): unavailable, not slow.
                last = PlatformError(ErrorKind.UNAVAILABLE, code="connect_timeout")
            except requests.Timeout:
                last = PlatformError(ErrorKind.TIMEOUT, code="timeout")
            except requests.ConnectionError:
                last = PlatformError(ErrorKind.UNAVAILABLE, code="connection_failed")
            except requests.RequestException as exc:
                last = PlatformError(ErrorKind.UNAVAILABLE, code=type(exc).__name__)
            else:
                elapsed_ms = round((time.monotonic() - started) * 1000, 1)
                log_event(
                    LOG,
                    "platform_call",
                    op=op,
                    status=response.status_code,
                    attempt=attempt + 1,
                    ms=elapsed_ms,
                )
                if response.status_code < 400:
                    return self._json(response), response.headers.get(REPLAY_HEADER) == "true"
                error = self._error(response)
                if response.status_code not in RETRY_STATUSES:
                    raise error
                last = error
                continue
            log_event(
                LOG,
                "platform_call_failed",
                logging.WARNING,
                op=op,
                kind=last.kind.value,
                attempt=attempt + 1,
                retryable=retryable,
            )
        assert last is not None
        raise last

    @staticmethod
    def _json(response: requests.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise PlatformError(
                ErrorKind.SERVER_ERROR, status=response.status_code, code="bad_json"
            ) from None

    @staticmethod
    def _error(response: requests.Response) -> PlatformError:
        kind = kind_for_status(response.status_code)
        code, message = "", ""
        try:
            error = response.json().get("error", {})
            code = str(error.get("code", ""))
            message = str(error.get("message", ""))
        except (ValueError, AttributeError):
            pass
        if kind in (ErrorKind.UNAVAILABLE, ErrorKind.TIMEOUT, ErrorKind.SERVER_ERROR):
            message = ""  # our own wording for outages, whatever the server said
        return PlatformError(kind, message, status=response.status_code, code=code)

    def _post(
        self, op: str, path: str, body: Any, key: str | None, timeout_seconds: float | None = None
    ) -> tuple[Any, bool, str]:
        used = key or new_idempotency_key()
        data, replayed = self._request(
            op, "POST", path, body=body, key=used, timeout_seconds=timeout_seconds
        )
        return data, replayed, used

    @staticmethod
    def _shape(op: str, build: Callable[[], Any]) -> Any:
        try:
            return build()
        except (KeyError, TypeError, ValueError, IndexError):
            raise PlatformError(ErrorKind.SERVER_ERROR, code=f"bad_answer:{op}") from None

    # -- calls ---------------------------------------------------------------------------------

    def health(self) -> Health:
        """``GET /v1/health``: the platform answers and its version."""
        data, _ = self._request("health", "GET", "/v1/health")
        return self._shape("health", lambda: Health.from_json(data))

    def verify_identity(
        self,
        method: VerifyMethod | str,
        *,
        id_number: str = "",
        name: str = "",
        code: str = "",
        face_jpeg: bytes | None = None,
        idempotency_key: str | None = None,
    ) -> Verification:
        """``POST /v1/identity/verify``: a resident token when verified, else the reason."""
        body: dict[str, Any] = {"method": VerifyMethod(method).value}
        if id_number:
            body["id_number"] = id_number
        if name:
            body["name"] = name
        if code:
            body["code"] = code
        if face_jpeg is not None:
            body["face_jpeg_b64"] = base64.b64encode(face_jpeg).decode("ascii")
        data, _, _ = self._post("verify_identity", "/v1/identity/verify", body, idempotency_key)
        return self._shape("verify_identity", lambda: Verification.from_json(data))

    def profile(self, resident_token: str) -> Profile:
        """``GET /v1/residents/{token}/profile``: pre-fill data the government holds."""
        data, _ = self._request("profile", "GET", f"/v1/residents/{_seg(resident_token)}/profile")
        return self._shape("profile", lambda: Profile.from_json(data))

    def records(self, resident_token: str, kind: str, page: int = 1, size: int = 10) -> RecordPage:
        """``GET /v1/residents/{token}/records/{kind}``: one page of a record query."""
        data, _ = self._request(
            "records",
            "GET",
            f"/v1/residents/{_seg(resident_token)}/records/{_seg(kind)}",
            params={"page": page, "size": size},
        )
        return self._shape("records", lambda: RecordPage.from_json(data))

    def licences(self, resident_token: str) -> tuple[Licence, ...]:
        """``GET /v1/residents/{token}/licences``: the resident's e-licences."""
        data, _ = self._request("licences", "GET", f"/v1/residents/{_seg(resident_token)}/licences")
        return self._shape("licences", lambda: tuple(Licence.from_json(i) for i in data["items"]))

    def benefits(self, resident_token: str) -> tuple[Benefit, ...]:
        """``GET /v1/residents/{token}/benefits``: benefits granted without applying."""
        data, _ = self._request("benefits", "GET", f"/v1/residents/{_seg(resident_token)}/benefits")
        return self._shape("benefits", lambda: tuple(Benefit.from_json(i) for i in data["items"]))

    def services(self) -> tuple[ServiceInfo, ...]:
        """``GET /v1/services``: services with platform rules and the answers they need."""
        data, _ = self._request("services", "GET", "/v1/services")
        return self._shape(
            "services", lambda: tuple(ServiceInfo.from_json(i) for i in data["items"])
        )

    def prefill(self, service: str, resident_token: str) -> Prefill:
        """``GET /v1/services/{service}/prefill``: answers the platform can fill in."""
        data, _ = self._request(
            "prefill",
            "GET",
            f"/v1/services/{_seg(service)}/prefill",
            params={"resident_token": resident_token},
        )
        return self._shape("prefill", lambda: Prefill(service, dict(data["fields"])))

    def submit_application(
        self,
        service: str,
        resident_token: str,
        answers: Mapping[str, Any],
        *,
        licences: Iterable[str] = (),
        attachments: Iterable[Attachment] = (),
        idempotency_key: str | None = None,
    ) -> ApplicationResult:
        """``POST /v1/applications``. Pass the journal's key so a retry never duplicates."""
        files = [a.to_json() for a in attachments]
        upload_mb = sum(len(f["data_b64"]) for f in files) / 1_000_000
        body = {
            "service": service,
            "resident_token": resident_token,
            "terminal_id": self.terminal_id,
            "answers": dict(answers),
            "licences": list(licences),
            "attachments": files,
        }
        data, replayed, key = self._post(
            "submit_application",
            "/v1/applications",
            body,
            idempotency_key,
            timeout_seconds=self.timeout_seconds + upload_mb * UPLOAD_SECONDS_PER_MB,
        )
        return self._shape(
            "submit_application", lambda: ApplicationResult.from_json(data, key, replayed)
        )

    def application(self, case_number: str) -> ApplicationProgress:
        """``GET /v1/applications/{case_number}``: progress of a case (办件进度)."""
        data, _ = self._request("application", "GET", f"/v1/applications/{_seg(case_number)}")
        return self._shape("application", lambda: ApplicationProgress.from_json(data))

    def issue_certificate(
        self,
        kind: str,
        resident_token: str,
        *,
        case_number: str = "",
        additions: CertificateAdditions | None = None,
        idempotency_key: str | None = None,
    ) -> Certificate:
        """``POST /v1/certificates``: the same key always returns the same serial.

        ``additions`` (what the service's template prints besides the platform's content) are
        kept with the serial, so `reissue_certificate` returns the very same document.
        """
        body: dict[str, Any] = {
            "kind": kind,
            "resident_token": resident_token,
            "terminal_id": self.terminal_id,
        }
        if case_number:
            body["case_number"] = case_number
        if additions is not None:
            body["additions"] = {
                "title": additions.title,
                "fields": [list(f) for f in additions.fields],
                "notes": list(additions.notes),
            }
        data, replayed, key = self._post(
            "issue_certificate", "/v1/certificates", body, idempotency_key
        )
        return self._shape("issue_certificate", lambda: Certificate.from_json(data, key, replayed))

    def issued_certificates(self, resident_token: str) -> tuple[IssuedCertificateSummary, ...]:
        """``GET /v1/residents/{token}/certificates``: issued lately, newest first (证明补打)."""
        data, _ = self._request(
            "issued_certificates", "GET", f"/v1/residents/{_seg(resident_token)}/certificates"
        )
        return self._shape(
            "issued_certificates",
            lambda: tuple(IssuedCertificateSummary.from_json(i) for i in data["items"]),
        )

    def reissue_certificate(
        self, serial: str, resident_token: str, *, idempotency_key: str | None = None
    ) -> Certificate:
        """``POST /v1/certificates/{serial}/reissue``: the stored certificate unchanged (same
        serial, same content); `PlatformError` NOT_FOUND when it is not the resident's."""
        body = {"resident_token": resident_token, "terminal_id": self.terminal_id}
        data, replayed, key = self._post(
            "reissue_certificate",
            f"/v1/certificates/{_seg(serial)}/reissue",
            body,
            idempotency_key,
        )
        return self._shape(
            "reissue_certificate", lambda: Certificate.from_json(data, key, replayed)
        )

    def check_certificate(self, serial: str) -> CertificateCheck:
        """``GET /v1/certificates/{serial}``: whether a printed serial was issued."""
        data, _ = self._request("check_certificate", "GET", f"/v1/certificates/{_seg(serial)}")
        return self._shape("check_certificate", lambda: CertificateCheck.from_json(data))

    def book_appointment(
        self,
        resident_token: str,
        service: str,
        *,
        day: date | None = None,
        idempotency_key: str | None = None,
    ) -> Appointment:
        """``POST /v1/appointments``: a queue ticket for the hall (预约取号)."""
        body: dict[str, Any] = {
            "resident_token": resident_token,
            "terminal_id": self.terminal_id,
            "service": service,
        }
        if day is not None:
            body["date"] = day.isoformat()
        data, replayed, key = self._post(
            "book_appointment", "/v1/appointments", body, idempotency_key
        )
        return self._shape("book_appointment", lambda: Appointment.from_json(data, key, replayed))

    def rate(
        self,
        service: str,
        score: int,
        *,
        reasons: Iterable[str] = (),
        comment: str = "",
        case_number: str = "",
        resident_token: str = "",
        idempotency_key: str | None = None,
    ) -> RatingReceipt:
        """``POST /v1/ratings`` (好差评): 5 非常满意 ... 1 非常不满意; 1-2 need a reason."""
        body: dict[str, Any] = {
            "terminal_id": self.terminal_id,
            "service": service,
            "score": score,
            "reasons": list(reasons),
        }
        if comment:
            body["comment"] = comment
        if case_number:
            body["case_number"] = case_number
        if resident_token:
            body["resident_token"] = resident_token
        data, replayed, key = self._post("rate", "/v1/ratings", body, idempotency_key)
        return self._shape("rate", lambda: RatingReceipt(str(data["rating_id"]), key, replayed))

    def report_problem(
        self,
        service: str,
        step: str,
        category: str,
        description: str,
        *,
        contact_phone: str = "",
        idempotency_key: str | None = None,
    ) -> ProblemReportReceipt:
        """``POST /v1/problem-reports`` (办不成事反映)."""
        body = {
            "terminal_id": self.terminal_id,
            "service": service,
            "step": step,
            "category": category,
            "description": description,
        }
        if contact_phone:
            body["contact_phone"] = contact_phone
        data, replayed, key = self._post(
            "report_problem", "/v1/problem-reports", body, idempotency_key
        )
        return self._shape(
            "report_problem",
            lambda: ProblemReportReceipt(
                str(data["report_id"]), int(data["reply_within_days"]), key, replayed
            ),
        )

    def heartbeat(self, report: HeartbeatReport, *, terminal_id: str = "") -> HeartbeatAck:
        """``POST /v1/terminals/{terminal_id}/heartbeat``: fleet status."""
        tid = terminal_id or self.terminal_id
        if not tid:
            raise ValueError("no terminal id")
        # No Idempotency-Key: a heartbeat is not retried (the next one follows anyway) and the
        # platform need not remember one answer per beat.
        data, _ = self._request(
            "heartbeat", "POST", f"/v1/terminals/{_seg(tid)}/heartbeat", body=report.to_json()
        )
        return self._shape(
            "heartbeat", lambda: HeartbeatAck(bool(data["ok"]), str(data["server_time"]))
        )

    def terminals(self) -> tuple[TerminalStatus, ...]:
        """``GET /v1/terminals``: the latest heartbeat of every terminal."""
        data, _ = self._request("terminals", "GET", "/v1/terminals")
        return self._shape(
            "terminals", lambda: tuple(TerminalStatus.from_json(i) for i in data["items"])
        )


def _seg(value: str) -> str:
    """One URL path segment, percent-encoded."""
    if not value:
        raise PlatformError(ErrorKind.INVALID, code="empty_path_segment")
    return quote(value, safe="")
