"""The sandbox service platform as a real HTTP server on loopback.

`SandboxApp` turns one request (method, path, headers, body) into a response: faults first, then
the route's handler inside one store transaction that also records the ``Idempotency-Key``, so a
replayed key returns the stored answer and never does the work twice. `start_sandbox` runs it in
a background thread (``kiosk run`` in the demo profile, and the tests); ``kiosk sandbox`` runs it
in the foreground. The access log holds method, path, status and milliseconds only.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import json
import logging
import socket
import ssl
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from kiosk.core.events import log_event
from kiosk.sandbox import (
    api,
    enterprises,  # 法人: enterprise verification (h-enterprise)
    licence_api,  # licence directory routes (h-catalogue)
)
from kiosk.sandbox.api import ApiError, Call, Route
from kiosk.sandbox.faults import FaultInjector
from kiosk.sandbox.records import business_credit_code
from kiosk.sandbox.seed import RESIDENTS
from kiosk.sandbox.store import Store, dumps
from kiosk.sandbox.tls import HANDSHAKE_SECONDS, Peer, RateLimit, RevocationList, SandboxTls

LOG = logging.getLogger("kiosk.sandbox")
MAX_BODY_BYTES = 25 * 1024 * 1024  # attachments are photos of documents
MAX_KEY_CHARS = 128
STOP_DRAIN_SECONDS = 3.0  # how long stop() waits for requests in flight
IDLE_CONNECTION_SECONDS = 30.0  # a kept-alive connection with no request is closed after this
SERVE_POLL_SECONDS = 0.05  # how quickly stop() is noticed by the serving loop
VERIFY_TEMPLATE = "/v1/identity/verify"


def _canonical_sha256(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass(slots=True)
class Response:
    """What the HTTP layer writes back."""

    status: int
    payload: Any
    headers: dict[str, str] = field(default_factory=dict)
    route: str = ""  # the matched template: what the access log shows instead of the path


class SandboxApp:
    """Routing, faults, idempotency and counters around the handlers in `kiosk.sandbox.api`.

    With ``tls_required`` (the production-like sandbox) every request must come with a client
    certificate that is not in the revocation list, checked on each request, and identity
    verification is limited to ``verify_per_minute`` per terminal (ADR 0412).
    """

    def __init__(
        self,
        store: Store,
        today: Callable[[], date] = date.today,
        clock: Callable[[], float] = time.time,
        *,
        tls_required: bool = False,
        revoked_file: Path | None = None,
        verify_per_minute: int = 0,
    ) -> None:
        self.store = store
        self.tls_required = tls_required
        self.revocations = RevocationList(revoked_file)
        self.verify_limit = RateLimit(verify_per_minute)
        self.faults = FaultInjector()
        self._today = today
        self._clock = clock
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._attempts: Counter[str] = Counter()
        self._requests: Counter[str] = Counter()
        self._replays = 0
        self._in_flight = 0
        self._idle = threading.Condition(self._lock)
        self.routes: tuple[Route, ...] = (
            *api.PUBLIC_ROUTES,
            *enterprises.ROUTES,  # POST /v1/enterprises/verify (kiosk/sandbox/enterprises.py)
            *licence_api.ROUTES,  # licence directory and copies (kiosk/sandbox/licence_api.py)
            Route("GET", "/_sandbox/stats", self._stats, admin=True),
            Route("GET", "/_sandbox/faults", self._faults_get, admin=True),
            Route("POST", "/_sandbox/faults", self._faults_set, admin=True),
            Route("DELETE", "/_sandbox/faults", self._faults_clear, admin=True),
            Route("GET", "/_sandbox/residents", self._residents, admin=True),
        )
        self._compiled = [(route, route.regex) for route in self.routes]

    # -- admin handlers (no faults) --------------------------------------------------------

    def _stats(self, call: Call, conn: Any) -> tuple[int, Any]:
        by_key: dict[str, dict[str, int]] = {}
        for table in ("applications", "certificates", "appointments", "ratings", "problem_reports"):
            rows = conn.execute(
                f"SELECT idempotency_key, COUNT(*) FROM {table} "
                "WHERE idempotency_key IS NOT NULL GROUP BY idempotency_key"
            )
            by_key[table] = {row[0]: row[1] for row in rows}
        totals = {
            table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in (
                "applications",
                "certificates",
                "appointments",
                "ratings",
                "problem_reports",
                "terminals",
            )
        }
        heartbeats = {
            row[0]: row[1] for row in conn.execute("SELECT terminal_id, heartbeats FROM terminals")
        }
        with self._lock:
            attempts, requests, replays = dict(self._attempts), dict(self._requests), self._replays
        return 200, {
            "applications_by_key": by_key["applications"],
            "certificates_by_key": by_key["certificates"],
            "appointments_by_key": by_key["appointments"],
            "ratings_by_key": by_key["ratings"],
            "problem_reports_by_key": by_key["problem_reports"],
            "attempts_by_key": attempts,
            "requests": requests,
            "replays": replays,
            "totals": totals,
            "heartbeats": heartbeats,
        }

    def _faults_get(self, call: Call, conn: Any) -> tuple[int, Any]:
        return 200, self.faults.snapshot()

    def _faults_set(self, call: Call, conn: Any) -> tuple[int, Any]:
        if not isinstance(call.body, dict):
            raise ApiError(400, "bad_request", "fault spec must be a JSON object")
        try:
            self.faults.arm(call.body)
        except (TypeError, ValueError) as exc:
            raise ApiError(422, "invalid_fault", str(exc)) from None
        return 200, self.faults.snapshot()

    def _faults_clear(self, call: Call, conn: Any) -> tuple[int, Any]:
        self.faults.clear()
        return 200, self.faults.snapshot()

    def _residents(self, call: Call, conn: Any) -> tuple[int, Any]:
        return 200, {
            "items": [
                {
                    "key": r.key,
                    "id_number": r.id_number,
                    "name": r.name,
                    "sex": r.sex,
                    "birth_date": r.birth_date.isoformat(),
                    "qr_code": r.qr_code,
                    "face": r.face,
                    "address": r.address,
                    "purpose": list(r.purpose),
                    "credit_code": business_credit_code(r),
                    "licence_code": enterprises.licence_code(r),
                }
                for r in RESIDENTS
            ]
        }

    # -- request handling -------------------------------------------------------------------

    def _match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        allowed = False
        for route, regex in self._compiled:
            found = regex.match(path)
            if found:
                if route.method == method:
                    return route, found.groupdict()
                allowed = True
        if allowed:
            raise ApiError(405, "method_not_allowed", "请求方式不正确")
        raise ApiError(404, "not_found", "未找到该服务")

    def handle(
        self,
        method: str,
        target: str,
        headers: dict[str, str],
        raw: bytes,
        peer: Peer | None = None,
        client: str = "",
    ) -> Response:
        """Answer one request (never raises). ``peer``: the verified client certificate."""
        with self._lock:
            self._in_flight += 1
        try:
            return self._handle(method, target, headers, raw, peer, client)
        finally:
            with self._lock:
                self._in_flight -= 1
                self._idle.notify_all()

    def _refuse_peer(self, peer: Peer | None) -> ApiError | None:
        """Why this caller may not use the platform at all, or None."""
        if peer is None:
            if self.tls_required:
                return ApiError(401, "certificate_required", "终端未认证，拒绝访问")
            return None
        if peer.serial in self.revocations.serials():
            return ApiError(401, "certificate_revoked", "终端证书已吊销，拒绝访问")
        return None

    def _handle(
        self,
        method: str,
        target: str,
        headers: dict[str, str],
        raw: bytes,
        peer: Peer | None,
        client: str,
    ) -> Response:
        parts = urlsplit(target)
        path = parts.path
        refused = self._refuse_peer(peer)
        if refused is not None:
            return Response(refused.status, refused.payload())
        key = headers.get("idempotency-key") or None
        if key:
            with self._lock:
                self._attempts[key] += 1
        try:
            route, params = self._match(method, path)
        except ApiError as exc:
            return Response(exc.status, exc.payload())
        with self._lock:
            self._requests[f"{route.method} {route.template}"] += 1
        if route.template == VERIFY_TEMPLATE:
            wait = self.verify_limit.take(peer.fingerprint if peer else client, time.monotonic())
            if wait:
                return Response(
                    429,
                    ApiError(429, "rate_limited", "核验过于频繁，请稍后再试").payload(),
                    {"Retry-After": str(max(1, round(wait)))},
                    route=route.template,
                )
        if not route.admin:
            delay = self.faults.take_delay(path)
            if delay and self._stopping.wait(delay):
                return Response(503, ApiError(503, "stopping", "服务暂时不可用").payload())
            failure = self.faults.take_failure(path)
            if failure is not None:
                return Response(
                    failure,
                    {"error": {"code": "injected_fault", "message": "服务暂时不可用，请稍后再试"}},
                )
        try:
            body = json.loads(raw.decode("utf-8")) if raw else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            return Response(400, ApiError(400, "bad_json", "请求格式不正确").payload())
        if key and (len(key) > MAX_KEY_CHARS or not key.isprintable()):
            return Response(400, ApiError(400, "bad_idempotency_key", "请求标识不正确").payload())
        if route.creates and not key:
            return Response(
                400, ApiError(400, "idempotency_key_required", "请求缺少幂等标识").payload()
            )
        if peer is not None and not route.admin:
            claimed = params.get("terminal_id") or (
                body.get("terminal_id") if isinstance(body, dict) else None
            )
            if claimed and claimed != peer.common_name:
                return Response(
                    403, ApiError(403, "terminal_mismatch", "终端编号与证书不符").payload()
                )
        call = Call(
            method=method,
            path=path,
            params=params,
            query=dict(parse_qsl(parts.query)),
            body=body,
            idempotency_key=key if method == "POST" else None,
            today=self._today(),
            now=self._clock(),
            terminal=peer.fingerprint if peer is not None else "",
        )
        try:
            response = self._run(route, call)
        except ApiError as exc:
            return Response(exc.status, exc.payload())
        except Exception as exc:  # a bug in the sandbox: answer 500, log the class only
            log_event(
                LOG,
                "sandbox_handler_error",
                logging.ERROR,
                path=route.template,
                error=type(exc).__name__,
            )
            return Response(500, ApiError(500, "internal", "服务平台内部错误").payload())
        if not route.admin and response.status < 300:
            failure = self.faults.take_failure_after_commit(path)
            if failure is not None:
                return Response(
                    failure,
                    {
                        "error": {
                            "code": "injected_fault_after_commit",
                            "message": "服务暂时不可用，请稍后再试",
                        }
                    },
                )
        response.route = route.template
        return response

    def _run(self, route: Route, call: Call) -> Response:
        key = call.idempotency_key
        digest = _canonical_sha256(call.body)
        with self.store.transaction() as conn:
            if key:
                row = conn.execute("SELECT * FROM idempotency WHERE key=?", (key,)).fetchone()
                if row is not None:
                    if row["path"] != call.path or row["body_sha256"] != digest:
                        raise ApiError(409, "idempotency_conflict", "请求标识已用于另一笔业务")
                    with self._lock:
                        self._replays += 1
                    return Response(
                        row["status"], json.loads(row["response"]), {"Idempotent-Replayed": "true"}
                    )
            status, payload = route.handler(call, conn)
            if key and 200 <= status < 300:
                conn.execute(
                    "INSERT INTO idempotency VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        key,
                        call.method,
                        call.path,
                        digest,
                        status,
                        dumps(payload),
                        api._iso(call.now),
                    ),
                )
        return Response(status, payload)

    def begin_stop(self) -> None:
        """Wake delayed requests so they answer at once."""
        self._stopping.set()

    def drain(self, timeout_seconds: float = STOP_DRAIN_SECONDS) -> bool:
        """Wait until no request is in flight; False on timeout."""
        deadline = time.monotonic() + timeout_seconds
        with self._idle:
            while self._in_flight:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True


class _Handler(BaseHTTPRequestHandler):
    """Thin HTTP layer: read the body, ask the app, write JSON, log without personal data."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, a kept-alive connection waits for
    # the peer's delayed ACK (~40 ms) before the body. TCP_NODELAY sends both at once.
    disable_nagle_algorithm = True
    server_version = "KioskSandbox/1"
    timeout = IDLE_CONNECTION_SECONDS
    server: SandboxHTTPServer

    def _serve(self) -> None:
        started = time.monotonic()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self._write(
                Response(400, ApiError(400, "bad_request", "请求格式不正确").payload()), started
            )
            self.close_connection = True
            return
        if length > MAX_BODY_BYTES:
            self._write(
                Response(413, ApiError(413, "too_large", "上传内容过大").payload()), started
            )
            self.close_connection = True
            return
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        response = self.server.app.handle(
            self.command, self.path, headers, raw, self.peer, str(self.client_address[0])
        )
        self._write(response, started)

    def _write(self, response: Response, started: float) -> None:
        data = json.dumps(response.payload, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (TimeoutError, BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        log_event(
            LOG,
            "sandbox_request",
            method=self.command,
            path=response.route or "-",  # never the raw path: it may carry a token
            status=response.status,
            ms=round((time.monotonic() - started) * 1000, 1),
        )

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _serve

    peer: Peer | None = None

    def setup(self) -> None:
        """Do the TLS handshake (when serving TLS) in this connection's own thread."""
        context = self.server.tls_context
        if context is not None:
            plain = self.request
            plain.settimeout(HANDSHAKE_SECONDS)
            wrapped = context.wrap_socket(plain, server_side=True)
            self.server.swap(plain, wrapped)
            self.request = self.connection = wrapped
            der = wrapped.getpeercert(binary_form=True)
            self.peer = Peer.from_der(der) if der else None
        super().setup()

    def finish(self) -> None:
        """Flush, then close a TLS socket (the plain one was detached by the handshake)."""
        try:
            super().finish()
        finally:
            if self.server.tls_context is not None:
                self.server.forget(self.request)
                with contextlib.suppress(OSError):
                    self.request.close()

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the stdlib's access log: `_write` logs a structured, data-free line."""

    def handle(self) -> None:
        """Serve the connection; a client hanging up is not an error."""
        with contextlib.suppress(ConnectionResetError, BrokenPipeError, TimeoutError):
            super().handle()


class SandboxHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that can close every open connection on stop."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 64  # listen backlog: a soak run opens many connections at once

    def __init__(
        self, address: tuple[str, int], app: SandboxApp, tls_context: ssl.SSLContext | None = None
    ) -> None:
        self.app = app
        self.tls_context = tls_context
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Log an unexpected error in a connection thread by class only (no traceback dump)."""
        error = sys.exc_info()[1]
        log_event(LOG, "sandbox_connection_error", logging.ERROR, error=type(error).__name__)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Track the connection, then serve it in its own thread."""
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        """Forget the connection once it is done."""
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def swap(self, plain: socket.socket, wrapped: socket.socket) -> None:
        """Track the TLS socket in place of the plain one it was made from."""
        with self._open_lock:
            self._open.discard(plain)
            self._open.add(wrapped)

    def forget(self, sock: socket.socket) -> None:
        """Stop tracking ``sock`` (its connection ended)."""
        with self._open_lock:
            self._open.discard(sock)

    def close_connections(self) -> None:
        """Shut down every open connection (idle keep-alive threads then finish)."""
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError, ValueError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)


class SandboxHandle:
    """A running sandbox: its ``url``, the ``app`` (faults, store) and `stop`."""

    def __init__(self, server: SandboxHTTPServer, thread: threading.Thread | None) -> None:
        self._server = server
        self._thread = thread
        self.app = server.app
        host, port = server.server_address[:2]
        self.host = str(host)
        self.port = int(port)
        scheme = "https" if server.tls_context is not None else "http"
        self.url = f"{scheme}://{self.host}:{self.port}"
        self._stopped = False

    def serve_forever(self) -> None:
        """Serve in the calling thread until `stop` is called from elsewhere."""
        self._server.serve_forever(poll_interval=SERVE_POLL_SECONDS)

    def stop(self) -> None:
        """Stop serving, close connections, wait for requests in flight, close the database."""
        if self._stopped:
            return
        self._stopped = True
        self.app.begin_stop()
        self._server.shutdown()
        self._server.server_close()
        self._server.close_connections()
        self.app.drain()
        if self._thread is not None:
            self._thread.join(timeout=STOP_DRAIN_SECONDS)
        self.app.store.close()
        log_event(LOG, "sandbox_stopped", port=self.port)

    def __enter__(self) -> SandboxHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def create_sandbox(
    db_path: Path,
    host: str = "127.0.0.1",
    port: int = 0,
    today: Callable[[], date] = date.today,
    clock: Callable[[], float] = time.time,
    tls: SandboxTls | None = None,
) -> SandboxHandle:
    """Open (seeding if new) the database and bind the server; not serving yet.

    ``today`` and ``clock`` are injectable so tests can move days (case progress) and seconds
    (token expiry) without waiting. With ``tls`` the sandbox serves HTTPS and requires a client
    certificate signed by ``tls.client_ca_file`` (production-like, ADR 0412); without it, it
    serves plain HTTP on a loopback address only.
    """
    if tls is None and not _is_loopback(host):
        raise ValueError(
            f"host {host!r}: the sandbox serves plain HTTP on loopback only; "
            "use TLS (kiosk sandbox --tls) to listen elsewhere"
        )
    context = tls.context() if tls is not None else None
    store = Store(Path(db_path), today=today())
    app = SandboxApp(
        store,
        today=today,
        clock=clock,
        tls_required=tls is not None,
        revoked_file=tls.revoked_file if tls is not None else None,
        verify_per_minute=tls.verify_per_minute if tls is not None else 0,
    )
    try:
        server = SandboxHTTPServer((host, port), app, context)
    except OSError:
        store.close()
        raise
    return SandboxHandle(server, None)


def start_sandbox(
    db_path: Path | str,
    host: str = "127.0.0.1",
    port: int = 0,
    today: Callable[[], date] = date.today,
    clock: Callable[[], float] = time.time,
    tls: SandboxTls | None = None,
) -> SandboxHandle:
    """Start the sandbox in a background thread on a free loopback port (port 0) and return it."""
    handle = create_sandbox(Path(db_path), host, port, today, clock, tls)
    thread = threading.Thread(
        target=handle._server.serve_forever,
        kwargs={"poll_interval": SERVE_POLL_SECONDS},
        name=f"sandbox-{handle.port}",
        daemon=True,
    )
    handle._thread = thread
    thread.start()
    log_event(LOG, "sandbox_started", port=handle.port)
    return handle


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


__all__ = ["SandboxApp", "SandboxHandle", "SandboxTls", "create_sandbox", "start_sandbox"]
