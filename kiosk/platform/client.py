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
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any, TypeVar
from urllib.parse import quote

import requests
from pydantic import BaseModel, ValidationError

from flows.documents import CertificateAdditions
from kiosk.core.events import log_event
from kiosk.platform.errors import ErrorKind, PlatformError, kind_for_status
from kiosk.platform.licences import LicenceCalls
from kiosk.platform.models import (
    WireApplicationProgress,
    WireApplicationResult,
    WireAppointment,
    WireAttachment,
    WireBenefit,
    WireCertificate,
    WireCertificateCheck,
    WireEnterpriseVerification,
    WireHealth,
    WireHeartbeatAck,
    WireHeartbeatReport,
    WireIssuedCertificateSummary,
    WireItems,
    WireLicence,
    WirePrefill,
    WireProblemReportReceipt,
    WireProfile,
    WireRatingReceipt,
    WireRecordPage,
    WireServiceInfo,
    WireTerminalStatus,
    WireVerification,
    WireVerifyMethod,
)
from kiosk.platform.transport import (
    DEFAULT_MAX_RESPONSE_BYTES,
    Deadline,
    new_session,
    read_body,
)

LOG = logging.getLogger("kiosk.platform")

DEFAULT_TIMEOUT_SECONDS = 5.0
DEFAULT_RETRIES = 2
DEFAULT_BACKOFF_SECONDS = 0.3
MAX_BACKOFF_SECONDS = 5.0  # one wait never exceeds this, however many retries
UPLOAD_SECONDS_PER_MB = 2.0  # extra read time allowed per MB of attachments
DEFAULT_DEADLINE_SECONDS = 15.0  # a whole call, retries included
SOCKET_BACKSTOP_SECONDS = 1.0  # per-read socket timeout beyond the attempt's deadline
RETRY_STATUSES = frozenset({502, 503, 504})
#: Failures that the same request cannot cure by trying again at once.
NOT_RETRIED_CODES = frozenset(
    {"tls_failed", "too_large", "bad_encoding", "redirect", "cancelled"}
)
REPLAY_HEADER = "Idempotent-Replayed"
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


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
        deadline_seconds: float | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        ca_file: str = "",
        cert_file: str = "",
        key_file: str = "",
    ) -> None:
        if not base_url:
            raise ValueError("base_url is empty")
        self.base_url = base_url.rstrip("/")
        self.terminal_id = terminal_id
        self.timeout_seconds = timeout_seconds
        self.retries = retries
        self.backoff_seconds = backoff_seconds
        self.deadline_seconds = (
            deadline_seconds
            if deadline_seconds is not None
            else max(DEFAULT_DEADLINE_SECONDS, timeout_seconds)
        )
        self.max_response_bytes = max_response_bytes
        self._tls = {"ca_file": ca_file, "cert_file": cert_file, "key_file": key_file}
        # No system-wide trust: an https platform is trusted through its configured CA only.
        self._no_anchor = self.base_url.lower().startswith("https://") and not ca_file
        self._sleep = sleep
        self._shared = session
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()
        self._active: set[Deadline] = set()
        self._headers = {"Accept": "application/json", "User-Agent": "kiosk-terminal/1"}

    @classmethod
    def from_settings(
        cls,
        platform: Any,
        terminal_id: str,
        base_url: str | None = None,
        tls: Any = None,
    ) -> PlatformClient:
        """Build from `kiosk.boot.settings.PlatformSettings` (``base_url`` overrides, e.g. sandbox).

        ``tls`` (`kiosk.trust.Credentials`, the demo's throwaway PKI) overrides the configured
        certificate, key and CA files.
        """
        if tls is not None:
            files = (str(tls.ca_file), str(tls.cert_file), str(tls.key_file))
        else:
            files = (
                platform.resolved("ca_file"),
                platform.resolved("cert_file"),
                platform.resolved("key_file"),
            )
        return cls(
            base_url or platform.base_url,
            terminal_id=terminal_id,
            timeout_seconds=platform.timeout_seconds,
            retries=platform.retries,
            backoff_seconds=platform.backoff_seconds,
            deadline_seconds=platform.deadline_seconds,
            max_response_bytes=platform.max_response_bytes,
            ca_file=files[0],
            cert_file=files[1],
            key_file=files[2],
        )

    def cancel_calls(self, thread_prefix: str = "") -> int:
        """End at once the calls in flight on threads whose name starts with ``thread_prefix``.

        The kiosk cancels its worker's calls when a session is wiped, so a call stuck on a
        hostile or failing platform never keeps the next resident waiting (ADR 0411). A
        cancelled call raises `PlatformError` TIMEOUT ``cancelled`` and is not retried; a
        submission it carried stays in the outbox under its idempotency key. Returns how many
        calls were cancelled.
        """
        with self._sessions_lock:
            chosen = [d for d in self._active if d.thread_name.startswith(thread_prefix)]
        for deadline in chosen:
            deadline.cancel()
        return len(chosen)

    @property
    def tls_files(self) -> dict[str, str]:
        """The CA, certificate and key files this client uses ('' = none)."""
        return dict(self._tls)

    def _session(self) -> requests.Session:
        """The calling thread's session (requests does not promise a Session is thread-safe)."""
        if self._shared is not None:
            return self._shared
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = new_session(self._headers, **self._tls)
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
        """Send with retries under deadlines; return (JSON answer, replayed) or raise.

        Each attempt ends at ``timeout_seconds`` whatever the server's pace (connect, TLS,
        headers and body together); the whole call, retries and backoff included, ends at
        ``deadline_seconds`` (plus the upload allowance). No redirect is ever followed.
        """
        if self._no_anchor:
            raise PlatformError(ErrorKind.UNAVAILABLE, code="no_ca_file")
        headers = {"Idempotency-Key": key} if key else {}
        retryable = method == "GET" or key is not None
        attempts = 1 + (max(0, self.retries) if retryable else 0)
        timeout = timeout_seconds or self.timeout_seconds
        call_ends = time.monotonic() + self.deadline_seconds + (timeout - self.timeout_seconds)
        last: PlatformError | None = None
        for attempt in range(attempts):
            if attempt:
                pause = self._backoff(attempt - 1)
                if time.monotonic() + pause >= call_ends:
                    break
                self._sleep(pause)
            left = call_ends - time.monotonic()
            if left <= 0:
                break
            started = time.monotonic()
            try:
                status, answer, replayed = self._attempt(
                    method, path, body, params, headers, min(timeout, left)
                )
            except PlatformError as exc:
                last = exc
            else:
                elapsed_ms = round((time.monotonic() - started) * 1000, 1)
                log_event(
                    LOG, "platform_call", op=op, status=status, attempt=attempt + 1, ms=elapsed_ms
                )
                if 300 <= status < 400:
                    # A redirect would re-send personal data to a place nobody configured.
                    raise PlatformError(ErrorKind.SERVER_ERROR, status=status, code="redirect")
                if status < 400:
                    return self._json(status, answer), replayed
                error = self._error(status, answer)
                if status not in RETRY_STATUSES:
                    raise error
                last = error
                continue
            log_event(
                LOG,
                "platform_call_failed",
                logging.WARNING,
                op=op,
                kind=last.kind.value,
                code=last.code,
                attempt=attempt + 1,
                retryable=retryable,
            )
            if last.code in NOT_RETRIED_CODES:
                break
        if last is None:
            last = PlatformError(ErrorKind.TIMEOUT, code="deadline")
        raise last

    def _attempt(
        self,
        method: str,
        path: str,
        body: Any,
        params: Mapping[str, Any] | None,
        headers: dict[str, str],
        seconds: float,
    ) -> tuple[int, bytes, bool]:
        """One HTTP exchange under a hard deadline: (status, body bytes, replayed)."""
        with Deadline(seconds) as deadline:
            with self._sessions_lock:
                self._active.add(deadline)
            try:
                response = self._session().request(
                    method,
                    self.base_url + path,
                    json=body,
                    params=params,
                    headers=headers,
                    # The watchdog ends the attempt at ``seconds``; the socket timeouts are
                    # only a backstop should the watchdog thread be starved.
                    timeout=(seconds + SOCKET_BACKSTOP_SECONDS, seconds + SOCKET_BACKSTOP_SECONDS),
                    allow_redirects=False,
                    stream=True,
                )
                with response:
                    answer = read_body(response, deadline, self.max_response_bytes)
                    return (
                        response.status_code,
                        answer,
                        response.headers.get(REPLAY_HEADER) == "true",
                    )
            except PlatformError:
                raise
            except Exception as exc:  # requests, urllib3, ssl or socket: all one outcome
                if deadline.cancelled:
                    raise PlatformError(ErrorKind.TIMEOUT, code="cancelled") from None
                if deadline.fired and not deadline.sent:
                    # Connecting or the TLS handshake never finished: nothing answered.
                    raise PlatformError(ErrorKind.UNAVAILABLE, code="connect_timeout") from None
                raise _transport_error(exc, deadline.fired) from None
            finally:
                with self._sessions_lock:
                    self._active.discard(deadline)

    @staticmethod
    def _json(status: int, answer: bytes) -> Any:
        try:
            return json.loads(answer)
        except (ValueError, RecursionError):
            raise PlatformError(ErrorKind.SERVER_ERROR, status=status, code="bad_json") from None

    @staticmethod
    def _error(status: int, answer: bytes) -> PlatformError:
        kind = kind_for_status(status)
        code, message = "", ""
        try:
            error = json.loads(answer).get("error", {})
            code = str(error.get("code", ""))[:64]
            message = str(error.get("message", ""))[:200]
        except (ValueError, AttributeError, RecursionError):
            pass
        if kind in (ErrorKind.UNAVAILABLE, ErrorKind.TIMEOUT, ErrorKind.SERVER_ERROR):
            message = ""  # our own wording for outages, whatever the server said
        return PlatformError(kind, message, status=status, code=code)

    def _post(
        self, op: str, path: str, body: Any, key: str | None, timeout_seconds: float | None = None
    ) -> tuple[Any, bool, str]:
        used = key or new_idempotency_key()
        data, replayed = self._request(
            op, "POST", path, body=body, key=used, timeout_seconds=timeout_seconds
        )
        return data, replayed, used

    @staticmethod
    def _shape(op: str, build: Callable[[], T]) -> T:
        """``build()``; an answer of the wrong shape becomes `PlatformError` SERVER_ERROR
        ``bad_answer:<op>`` (a plain message for the resident; never another exception)."""
        try:
            return build()
        except ValidationError as exc:
            # Where the answer was wrong, for technicians; never the values (personal data).
            log_event(
                LOG,
                "platform_bad_answer",
                logging.WARNING,
                op=op,
                field=_where(exc),
                errors=exc.error_count(),
            )
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            log_event(LOG, "platform_bad_answer", logging.WARNING, op=op)
        raise PlatformError(ErrorKind.SERVER_ERROR, code=f"bad_answer:{op}")

    def _read(self, op: str, model: type[M], data: Any, **client_fields: Any) -> M:
        """The answer ``data`` read as ``model`` (``client_fields``: the client's own, such as
        the idempotency key, which override anything the platform sent under those names)."""
        if client_fields and isinstance(data, dict):
            data = {**data, **client_fields}
        return self._shape(op, lambda: model.model_validate(data))

    def _read_items(self, op: str, model: type[M], data: Any) -> tuple[M, ...]:
        """A list answer ``{"items": [...]}`` read as a tuple of ``model``."""
        envelope: type[WireItems[M]] = WireItems[model]  # type: ignore[valid-type]
        return self._shape(op, lambda: envelope.model_validate(data).items)

    # -- calls ---------------------------------------------------------------------------------

    def health(self) -> WireHealth:
        """``GET /v1/health``: the platform answers and its version."""
        data, _ = self._request("health", "GET", "/v1/health")
        return self._read("health", WireHealth, data)

    def verify_identity(
        self,
        method: WireVerifyMethod | str,
        *,
        id_number: str = "",
        name: str = "",
        code: str = "",
        face_jpeg: bytes | None = None,
        idempotency_key: str | None = None,
    ) -> WireVerification:
        """``POST /v1/identity/verify``: a resident token when verified, else the reason."""
        body: dict[str, Any] = {"method": WireVerifyMethod(method).value}
        if id_number:
            body["id_number"] = id_number
        if name:
            body["name"] = name
        if code:
            body["code"] = code
        if face_jpeg is not None:
            body["face_jpeg_b64"] = base64.b64encode(face_jpeg).decode("ascii")
        data, _, _ = self._post("verify_identity", "/v1/identity/verify", body, idempotency_key)
        return self._read("verify_identity", WireVerification, data)

    def verify_enterprise(self, *, id_number: str, name: str = "", credit_code: str = "",
                          licence_code: str = "",
                          idempotency_key: str | None = None) -> WireEnterpriseVerification:
        """``POST /v1/enterprises/verify``: the legal representative's card with the enterprise's
        credit code or its business licence QR code (法人身份核验)."""
        body: dict[str, Any] = {"id_number": id_number}
        if name:
            body["name"] = name
        if credit_code:
            body["credit_code"] = credit_code
        if licence_code:
            body["licence_code"] = licence_code
        data, _, _ = self._post("verify_enterprise", "/v1/enterprises/verify", body,
                                idempotency_key)
        return self._read("verify_enterprise", WireEnterpriseVerification, data)

    def revoke_token(self, resident_token: str) -> None:
        """``POST /v1/identity/revoke``: the session ended; the token reads nothing any more."""
        self._request(
            "revoke_token", "POST", "/v1/identity/revoke", body={"resident_token": resident_token}
        )

    def profile(self, resident_token: str) -> WireProfile:
        """``GET /v1/residents/{token}/profile``: pre-fill data the government holds."""
        data, _ = self._request("profile", "GET", f"/v1/residents/{_seg(resident_token)}/profile")
        return self._read("profile", WireProfile, data)

    def records(
        self, resident_token: str, kind: str, page: int = 1, size: int = 10
    ) -> WireRecordPage:
        """``GET /v1/residents/{token}/records/{kind}``: one page of a record query."""
        data, _ = self._request(
            "records",
            "GET",
            f"/v1/residents/{_seg(resident_token)}/records/{_seg(kind)}",
            params={"page": page, "size": size},
        )
        return self._read("records", WireRecordPage, data)

    def licences(self, resident_token: str) -> tuple[WireLicence, ...]:
        """``GET /v1/residents/{token}/licences``: the resident's e-licences."""
        data, _ = self._request("licences", "GET", f"/v1/residents/{_seg(resident_token)}/licences")
        return self._read_items("licences", WireLicence, data)

    def benefits(self, resident_token: str) -> tuple[WireBenefit, ...]:
        """``GET /v1/residents/{token}/benefits``: benefits granted without applying."""
        data, _ = self._request("benefits", "GET", f"/v1/residents/{_seg(resident_token)}/benefits")
        return self._read_items("benefits", WireBenefit, data)

    def services(self) -> tuple[WireServiceInfo, ...]:
        """``GET /v1/services``: services with platform rules and the answers they need."""
        data, _ = self._request("services", "GET", "/v1/services")
        return self._read_items("services", WireServiceInfo, data)

    def prefill(self, service: str, resident_token: str) -> WirePrefill:
        """``GET /v1/services/{service}/prefill``: answers the platform can fill in."""
        data, _ = self._request(
            "prefill",
            "GET",
            f"/v1/services/{_seg(service)}/prefill",
            params={"resident_token": resident_token},
        )
        return self._read("prefill", WirePrefill, data, service=service)

    def submit_application(
        self,
        service: str,
        resident_token: str,
        answers: Mapping[str, Any],
        *,
        licences: Iterable[str] = (),
        attachments: Iterable[WireAttachment] = (),
        idempotency_key: str | None = None,
    ) -> WireApplicationResult:
        """``POST /v1/applications``. Pass the journal's key so a retry never duplicates."""
        files = [a.model_dump() for a in attachments]
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
        return self._read(
            "submit_application",
            WireApplicationResult,
            data,
            idempotency_key=key,
            replayed=replayed,
        )

    def application(self, case_number: str) -> WireApplicationProgress:
        """``GET /v1/applications/{case_number}``: progress of a case (办件进度)."""
        data, _ = self._request("application", "GET", f"/v1/applications/{_seg(case_number)}")
        return self._read("application", WireApplicationProgress, data)

    def issue_certificate(
        self,
        kind: str,
        resident_token: str,
        *,
        case_number: str = "",
        additions: CertificateAdditions | None = None,
        idempotency_key: str | None = None,
    ) -> WireCertificate:
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
        return self._read(
            "issue_certificate", WireCertificate, data, idempotency_key=key, replayed=replayed
        )

    def issued_certificates(self, resident_token: str) -> tuple[WireIssuedCertificateSummary, ...]:
        """``GET /v1/residents/{token}/certificates``: issued lately, newest first (证明补打)."""
        data, _ = self._request(
            "issued_certificates", "GET", f"/v1/residents/{_seg(resident_token)}/certificates"
        )
        return self._read_items("issued_certificates", WireIssuedCertificateSummary, data)

    def reissue_certificate(
        self, serial: str, resident_token: str, *, idempotency_key: str | None = None
    ) -> WireCertificate:
        """``POST /v1/certificates/{serial}/reissue``: the stored certificate unchanged (same
        serial, same content); `PlatformError` NOT_FOUND when it is not the resident's."""
        body = {"resident_token": resident_token, "terminal_id": self.terminal_id}
        data, replayed, key = self._post(
            "reissue_certificate",
            f"/v1/certificates/{_seg(serial)}/reissue",
            body,
            idempotency_key,
        )
        return self._read(
            "reissue_certificate", WireCertificate, data, idempotency_key=key, replayed=replayed
        )

    def check_certificate(self, serial: str) -> WireCertificateCheck:
        """``GET /v1/certificates/{serial}``: whether a printed serial was issued."""
        data, _ = self._request("check_certificate", "GET", f"/v1/certificates/{_seg(serial)}")
        return self._read("check_certificate", WireCertificateCheck, data)

    def book_appointment(
        self,
        resident_token: str,
        service: str,
        *,
        day: date | None = None,
        idempotency_key: str | None = None,
    ) -> WireAppointment:
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
        return self._read(
            "book_appointment", WireAppointment, data, idempotency_key=key, replayed=replayed
        )

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
    ) -> WireRatingReceipt:
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
        return self._read("rate", WireRatingReceipt, data, idempotency_key=key, replayed=replayed)

    def report_problem(
        self,
        service: str,
        step: str,
        category: str,
        description: str,
        *,
        contact_phone: str = "",
        idempotency_key: str | None = None,
    ) -> WireProblemReportReceipt:
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
        return self._read(
            "report_problem",
            WireProblemReportReceipt,
            data,
            idempotency_key=key,
            replayed=replayed,
        )

    def heartbeat(self, report: WireHeartbeatReport, *, terminal_id: str = "") -> WireHeartbeatAck:
        """``POST /v1/terminals/{terminal_id}/heartbeat``: fleet status."""
        tid = terminal_id or self.terminal_id
        if not tid:
            raise ValueError("no terminal id")
        # No Idempotency-Key: a heartbeat is not retried (the next one follows anyway) and the
        # platform need not remember one answer per beat.
        data, _ = self._request(
            "heartbeat",
            "POST",
            f"/v1/terminals/{_seg(tid)}/heartbeat",
            body=report.model_dump(mode="json"),
        )
        return self._read("heartbeat", WireHeartbeatAck, data)

    def terminals(self) -> tuple[WireTerminalStatus, ...]:
        """``GET /v1/terminals``: the latest heartbeat of every terminal."""
        data, _ = self._request("terminals", "GET", "/v1/terminals")
        return self._read_items("terminals", WireTerminalStatus, data)


def _transport_error(exc: Exception, deadline_passed: bool) -> PlatformError:
    """The `PlatformError` for an exception raised while talking to the platform."""
    if deadline_passed:
        return PlatformError(ErrorKind.TIMEOUT, code="deadline")
    if isinstance(exc, requests.exceptions.SSLError):
        # A certificate the terminal does not trust, or the platform refused ours.
        return PlatformError(ErrorKind.UNAVAILABLE, code="tls_failed")
    if isinstance(exc, requests.ConnectTimeout):
        # Nothing answered the connection (host or route down): unavailable, not slow.
        return PlatformError(ErrorKind.UNAVAILABLE, code="connect_timeout")
    if isinstance(exc, requests.Timeout):
        return PlatformError(ErrorKind.TIMEOUT, code="timeout")
    if isinstance(exc, requests.exceptions.TooManyRedirects):
        return PlatformError(ErrorKind.SERVER_ERROR, code="redirect")
    if isinstance(exc, requests.ConnectionError):
        return PlatformError(ErrorKind.UNAVAILABLE, code="connection_failed")
    return PlatformError(ErrorKind.UNAVAILABLE, code=type(exc).__name__[:40])


def _where(exc: ValidationError) -> str:
    """The path of the first wrong field of an answer (``items.0.waiting``), without values."""
    errors = exc.errors(include_url=False, include_context=False, include_input=False)
    return ".".join(str(part) for part in errors[0]["loc"])[:80] if errors else ""


def _seg(value: str) -> str:
    """One URL path segment, percent-encoded."""
    if not value:
        raise PlatformError(ErrorKind.INVALID, code="empty_path_segment")
    return quote(value, safe="")
