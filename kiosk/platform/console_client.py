"""The terminal's side of the central console: post heartbeats and events, collect and
acknowledge commands (plain `requests`, no kiosk state; the composition root wires it to the
heartbeat timer and the outbox).

Authentication (docs/adr/0700): over https, the terminal's client certificate from `kiosk ca
enrol` (`cert=`), and the console's certificate is checked against the fleet CA (`ca_file=`).
A per-terminal token (`Authorization: Bearer`) is the plain-http development mode's only.
Nothing personal is sent: versions, device states, counts.

Failures are `ConsoleError` with a `kind` a caller can act on: "unreachable" and
"server_error" (retry later; the outbox keeps the message), "refused" (not enrolled or
revoked, or the TLS handshake failed: the console does not accept our certificate or we do not
trust its: tell the technician), "invalid" (a bug: drop), "too_many" (slow down).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import requests

#: Connect and read timeout for one call.
CONSOLE_TIMEOUT_SECONDS = 10.0


class _Report(Protocol):
    def model_dump(self, *, mode: str = "python") -> dict[str, Any]: ...


class ConsoleError(Exception):
    """A console call that did not succeed."""

    def __init__(self, kind: str, message: str, status: int = 0,
                 retry_after_seconds: float = 0.0) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.status = status
        self.retry_after_seconds = retry_after_seconds


@dataclass(frozen=True, slots=True)
class ConsoleCommand:
    """A remote operation collected with a heartbeat."""

    id: int
    kind: str  # out_of_service | return_to_service | restart | announce | diagnostics
    message: str
    until: str = ""  # ISO time an announcement comes down ("" for other commands)


def event(kind: str, device: str = "", detail: str = "",
          occurred_at: datetime | None = None) -> dict[str, Any]:
    """One event in wire form (kinds: kiosk.console.wire.EventKind)."""
    body: dict[str, Any] = {"kind": kind, "device": device, "detail": detail}
    if occurred_at is not None:
        body["occurred_at"] = occurred_at.isoformat()
    return body


class ConsoleClient:
    """Talks to the console as one enrolled terminal."""

    def __init__(self, base_url: str, terminal_id: str, token: str = "",
                 session: requests.Session | None = None,
                 timeout_seconds: float = CONSOLE_TIMEOUT_SECONDS, *,
                 cert: tuple[str, str] | None = None, ca_file: str = "") -> None:
        self._base = f"{base_url.rstrip('/')}/api/v1/terminals/{terminal_id}"
        self._http = session or requests.Session()
        if cert is not None:
            self._http.cert = cert
        if ca_file:  # per session, never from REQUESTS_CA_BUNDLE and the like
            self._http.verify = ca_file
            self._http.trust_env = False
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._timeout = timeout_seconds

    def heartbeat(self, report: _Report | dict[str, Any],
                  out_of_service: bool = False) -> list[ConsoleCommand]:
        """Send a heartbeat (a kiosk.platform.models.WireHeartbeatReport or its JSON form);
        returns the commands waiting for this terminal."""
        body = dict(report if isinstance(report, dict) else report.model_dump(mode="json"))
        body["out_of_service"] = out_of_service
        answer = self._post("/heartbeat", body)
        return [ConsoleCommand(int(c["id"]), str(c["kind"]), str(c.get("message", "")),
                               str(c.get("until", ""))) for c in answer.get("commands", [])]

    def events(self, events: list[dict[str, Any]]) -> int:
        """Send a batch of events (see `event`); returns how many the console stored."""
        return int(self._post("/events", {"events": events}).get("stored", 0))

    def usage(self, records: list[dict[str, Any]]) -> int:
        """Send a batch of usage records (kiosk.console.wire.UsageIn: sessions, completed
        services, 好差评; codes only); returns how many the console stored."""
        return int(self._post("/usage", {"records": records}).get("stored", 0))

    def ack(self, command_id: int, ok: bool, outcome: str = "") -> str:
        """Report a command's outcome; returns the command's state on the console."""
        return str(self._post(f"/commands/{command_id}/ack",
                              {"ok": ok, "outcome": outcome}).get("state", ""))

    def upload_diagnostics(self, command_id: int, bundle: bytes) -> int:
        """Upload the diagnostics bundle (a zip) for a diagnostics command; returns its id on
        the console."""
        return int(self._post(f"/diagnostics/{command_id}", None, bundle).get("stored", 0))

    def _post(self, path: str, body: dict[str, Any] | None,
              data: bytes | None = None) -> dict[str, Any]:
        headers = dict(self._headers)
        if data is not None:
            headers["Content-Type"] = "application/zip"
        try:
            response = self._http.post(self._base + path, json=body, data=data,
                                       headers=headers, timeout=self._timeout)
        except requests.exceptions.SSLError as exc:
            raise ConsoleError("refused", f"TLS handshake failed ({_tls_reason(exc)}): the "
                               "console does not accept this terminal's certificate, or this "
                               "terminal does not trust the console's") from None
        except requests.ConnectionError as exc:
            # TLS 1.3: a server refusing our certificate closes the connection after what the
            # client took for a finished handshake; only the server's log knows the alert
            hint = (" (over mutual TLS this is also how the console refuses a certificate it "
                    "does not trust)") if self._base.startswith("https:") and \
                "RemoteDisconnected" in str(exc) else ""
            raise ConsoleError("unreachable", f"{type(exc).__name__}{hint}") from None
        except requests.RequestException as exc:
            raise ConsoleError("unreachable", type(exc).__name__) from None
        if response.status_code == 200:
            try:
                data = response.json()
            except ValueError:
                raise ConsoleError("server_error", "not JSON", 200) from None
            return data if isinstance(data, dict) else {}
        message = _message(response)
        if response.status_code in (401, 403):
            raise ConsoleError("refused", message, response.status_code)
        if response.status_code == 429:
            retry = response.headers.get("Retry-After", "")
            raise ConsoleError("too_many", message, 429,
                               float(retry) if retry.isdigit() else 60.0)
        if response.status_code in (400, 404, 409, 413, 422):
            raise ConsoleError("invalid", message, response.status_code)
        raise ConsoleError("server_error", message, response.status_code)


def _tls_reason(exc: Exception) -> str:
    """The TLS alert or check that failed, from the SSL error's text (no addresses, no keys)."""
    text = str(exc).lower()
    for reason in ("unknown ca", "certificate required", "certificate verify failed",
                   "bad certificate", "certificate revoked", "expired"):
        if reason in text:
            return reason
    return "handshake"


def _message(response: requests.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    return str(data.get("message", "")) if isinstance(data, dict) else ""
