"""`kiosk bench hostile`: the platform client against a hostile platform (ADR 0411).

`HostileServer` is a real TCP server on loopback that speaks just enough HTTP/1.1 to be
dangerous: it trickles one byte at a time (in the headers or the body), never answers, sends a
gigabyte (with or without Content-Length), a gzip bomb, a redirect, garbage, JSON nested
deeper than any parser's stack, or well-formed JSON of the wrong shape (``answer``: the body
given, to every request). The tests (tests/platform/test_*server*, test_redirect_*,
test_huge_body_*) use it; this benchmark measures, in child processes so that peak memory is
the call's own: the time the client takes to end a trickled call against its deadline, and the
peak resident memory of refusing a 1 GB answer and a gzip bomb, against the same process
making one small call (the floor).
"""

from __future__ import annotations

import argparse
import json
import resource
import socket
import socketserver
import subprocess
import sys
import threading
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

GIGABYTE = 1024**3
CHUNK = 64 * 1024
_BOMB: bytes | None = None
_BOMB_LOCK = threading.Lock()


def gzip_bomb(size: int = GIGABYTE) -> bytes:
    """``size`` zero bytes, gzip-compressed (about 1 MB for 1 GB); cached per process."""
    global _BOMB
    with _BOMB_LOCK:
        if _BOMB is None or size != GIGABYTE:
            packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            zeros = bytes(1024 * 1024)
            parts = [packer.compress(zeros) for _ in range(size // len(zeros))]
            parts.append(packer.flush())
            data = b"".join(parts)
            if size != GIGABYTE:
                return data
            _BOMB = data
        return _BOMB


@dataclass
class Seen:
    """What the hostile server received: (method, path, body bytes) per request."""

    requests: list[tuple[str, str, bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, method: str, path: str, body: bytes) -> None:
        """Record one request."""
        with self.lock:
            self.requests.append((method, path, body))


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(10)
        behaviour = self.server.behaviour
        if behaviour == "silent":
            self.server.stop.wait(self.server.hold_seconds)
            return
        try:
            method, path, body = _read_request(sock)
        except (OSError, ValueError):
            return
        self.server.seen.add(method, path, body)
        try:
            getattr(self, f"_{behaviour}")(sock)
        except OSError:
            return

    def _send(self, sock: socket.socket, head: str, body: bytes = b"") -> None:
        sock.sendall(head.encode("latin-1") + b"\r\n" + body)

    def _trickle_body(self, sock: socket.socket) -> None:
        self._send(sock, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                   "Content-Length: 100000\r\n")
        while not self.server.stop.wait(self.server.interval):
            sock.sendall(b" ")

    def _trickle_headers(self, sock: socket.socket) -> None:
        sock.sendall(b"HTTP/1.1 200 OK\r\n")
        while not self.server.stop.wait(self.server.interval):
            sock.sendall(b"X-Slow: a\r\n")

    def _huge_length(self, sock: socket.socket) -> None:
        self._send(sock, f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                   f"Content-Length: {GIGABYTE}\r\n")
        self._zeros(sock)

    def _huge_chunked(self, sock: socket.socket) -> None:
        self._send(sock, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                   "Connection: close\r\n")
        self._zeros(sock)

    def _zeros(self, sock: socket.socket) -> None:
        block = b"0" * CHUNK
        sent = 0
        while sent < GIGABYTE and not self.server.stop.is_set():
            sock.sendall(block)
            sent += len(block)

    def _gzip_bomb(self, sock: socket.socket) -> None:
        data = gzip_bomb()
        self._send(sock, f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                   f"Content-Encoding: gzip\r\nContent-Length: {len(data)}\r\n", data)

    def _redirect(self, sock: socket.socket) -> None:
        self._send(sock, f"HTTP/1.1 307 Temporary Redirect\r\nLocation: {self.server.location}"
                   "\r\nContent-Length: 0\r\n")

    def _redirect_huge(self, sock: socket.socket) -> None:
        self._send(sock, f"HTTP/1.1 307 Temporary Redirect\r\nLocation: {self.server.location}"
                   "\r\nConnection: close\r\n")
        self._zeros(sock)

    def _garbage(self, sock: socket.socket) -> None:
        sock.sendall(b"\x16\x03\x01 this is not HTTP at all \x00\xff\r\n\r\n")

    def _deep_json(self, sock: socket.socket) -> None:
        body = b"[" * 200_000
        self._send(sock, f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                   f"Content-Length: {len(body)}\r\n", body)

    def _bad_gzip(self, sock: socket.socket) -> None:
        body = b"this is not gzip"
        self._send(sock, f"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
                   f"Content-Length: {len(body)}\r\n", body)

    def _unknown_encoding(self, sock: socket.socket) -> None:
        body = b"\x00" * 32
        self._send(sock, f"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\n"
                   f"Content-Length: {len(body)}\r\n", body)

    def _short_body(self, sock: socket.socket) -> None:
        self._send(sock, "HTTP/1.1 200 OK\r\nContent-Length: 500\r\n", b'{"status": "o')

    def _answer(self, sock: socket.socket) -> None:
        body = self.server.answer
        self._send(sock, f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                   f"Content-Length: {len(body)}\r\nConnection: close\r\n", body)


def _read_request(sock: socket.socket) -> tuple[str, str, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise ValueError("closed")
        data += chunk
        if len(data) > 65536:
            raise ValueError("headers too long")
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path = lines[0].split(" ")[:2]
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    body = rest
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return method, path, body


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, behaviour: str, interval: float, location: str,
                 hold_seconds: float, answer: bytes = b"") -> None:
        self.behaviour = behaviour
        self.answer = answer
        self.interval = interval
        self.location = location
        self.hold_seconds = hold_seconds
        self.seen = Seen()
        self.stop = threading.Event()
        super().__init__(("127.0.0.1", 0), _Handler)


class HostileServer:
    """A hostile platform on a loopback port; ``with HostileServer("trickle_body") as url:``."""

    BEHAVIOURS = ("silent", "trickle_body", "trickle_headers", "huge_length", "huge_chunked",
                  "gzip_bomb", "redirect", "redirect_huge", "garbage", "deep_json", "bad_gzip",
                  "unknown_encoding", "short_body", "answer")

    def __init__(self, behaviour: str, *, interval: float = 0.5, location: str = "",
                 hold_seconds: float = 60.0, answer: Any = None) -> None:
        """``answer`` (behaviour ``answer``): the JSON value, or raw bytes, sent with 200."""
        if behaviour not in self.BEHAVIOURS:
            raise ValueError(f"unknown behaviour {behaviour!r}")
        body = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
        self._server = _Server(behaviour, interval, location, hold_seconds, body)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def seen(self) -> Seen:
        """The requests received."""
        return self._server.seen

    def start(self) -> HostileServer:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and wake every trickling handler."""
        self._server.stop.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# -- the benchmark -----------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cancelled(timeout: float) -> dict[str, Any]:
    """A trickled call cancelled (as at a wipe) half a second in: seconds from cancel to end."""
    from kiosk.platform import PlatformClient, PlatformError

    with HostileServer("trickle_body", interval=1.0) as server, PlatformClient(
        server.url, timeout_seconds=timeout, retries=2
    ) as client:
        cancelled_at: list[float] = []

        def cancel() -> None:
            cancelled_at.append(time.monotonic())
            client.cancel_calls("")

        timer = threading.Timer(0.5, cancel)
        timer.start()
        try:
            client.health()
            outcome = "answered"
        except PlatformError as exc:
            outcome = str(exc)
        ended = time.monotonic()
        timer.join()
    return {"behaviour": "cancelled", "outcome": outcome,
            "seconds": round(ended - cancelled_at[0], 4), "peak_rss_mb": _peak_rss_mb()}


def _child(behaviour: str, timeout: float, deadline: float) -> dict[str, Any]:
    """One call against ``behaviour`` in this process: outcome, seconds, peak RSS."""
    from kiosk.platform import PlatformClient, PlatformError

    if behaviour == "cancelled":
        return _cancelled(timeout)
    interval = 1.0
    with HostileServer(behaviour, interval=interval) as server:
        if behaviour in ("huge_length", "huge_chunked", "gzip_bomb"):
            gzip_bomb() if behaviour == "gzip_bomb" else None
        client = PlatformClient(server.url, timeout_seconds=timeout, retries=0,
                                deadline_seconds=deadline)
        baseline = _peak_rss_mb()
        started = time.monotonic()
        try:
            client.health()
            outcome = "answered"
        except PlatformError as exc:
            outcome = str(exc)
        seconds = time.monotonic() - started
        client.close()
    return {"behaviour": behaviour, "outcome": outcome, "seconds": round(seconds, 3),
            "rss_before_mb": round(baseline, 1), "peak_rss_mb": round(_peak_rss_mb(), 1)}


def _run_child(behaviour: str, timeout: float, deadline: float) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "kiosk.harness.bench.hostile", "--child", behaviour,
         "--timeout", str(timeout), "--deadline", str(deadline)],
        capture_output=True, text=True, timeout=600, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"child {behaviour} failed: {proc.stderr[-400:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main(argv: list[str]) -> int:
    """Print the figures: stuck-call end times and peak memory against hostile answers."""
    parser = argparse.ArgumentParser(prog="kiosk bench hostile", description=__doc__)
    parser.add_argument("--timeout", type=float, default=2.0, help="client timeout_seconds")
    parser.add_argument("--deadline", type=float, default=2.0, help="client deadline_seconds")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child, args.timeout, args.deadline)))
        return 0
    floor = _run_child("redirect", args.timeout, args.deadline)  # one small answer
    print(f"floor: one small refused answer: {floor['seconds']:.3f} s, "
          f"peak RSS {floor['peak_rss_mb']:.1f} MB")
    for behaviour in ("trickle_body", "trickle_headers", "silent"):
        row = _run_child(behaviour, args.timeout, args.deadline)
        print(f"{behaviour:<16} ended after {row['seconds']:.3f} s "
              f"(deadline {args.timeout:.1f} s, ratio {row['seconds'] / args.timeout:.2f}) "
              f"-> {row['outcome']}")
    row = _run_child("cancelled", args.timeout, args.deadline)
    print(f"{'cancelled':<16} a trickled call cancelled at the wipe ended "
          f"{row['seconds'] * 1000:.1f} ms after the cancel -> {row['outcome']}")
    for behaviour in ("huge_length", "huge_chunked", "gzip_bomb"):
        row = _run_child(behaviour, args.timeout, args.deadline)
        print(f"{behaviour:<16} 1 GB answer: peak RSS {row['peak_rss_mb']:.1f} MB "
              f"(floor {floor['peak_rss_mb']:.1f} MB, ratio "
              f"{row['peak_rss_mb'] / floor['peak_rss_mb']:.2f}) in {row['seconds']:.3f} s "
              f"-> {row['outcome']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
