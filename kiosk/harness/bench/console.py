"""`kiosk bench console --terminals N`: the central console under a simulated fleet.

For each database (SQLite and a throwaway PostgreSQL, in the same run) it enrols N terminals,
starts `kiosk console` in its own process, and from one asyncio process on loopback sends
heartbeats at the production rate (each terminal every `--interval` seconds, spread evenly)
plus one event per ten heartbeats, for `--seconds`. It prints ingest throughput, p50/p99
latency, the console process's CPU (share of one core, and per 1,000 terminals), and the
fleet page's render time with N terminals. The floor is a bare `/healthz` round trip on the
same connections, measured in the same run; the ratio is heartbeat p50 / floor p50. A second
floor, measured first in the same run, is a bare FastAPI app answering the same requests with
the same validation and no database (kiosk/harness/bench/console_floor.py); each database's
p50, p99 and CPU are also given as multiples of it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests

from kiosk import REPO_ROOT

#: Heartbeat interval of a terminal in production.
PRODUCTION_HEARTBEAT_SECONDS = 60.0
BENCH_PASSWORD = "bench-admin-pass-1"
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class _Figures:
    database: str
    terminals: int
    sent: int = 0
    ok: int = 0
    refused: dict[int, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    heartbeat_ms: list[float] = field(default_factory=list)
    events_ms: list[float] = field(default_factory=list)
    floor_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    fleet_ms: list[float] = field(default_factory=list)
    fleet_bytes: int = 0


class _Connection:
    """One keep-alive HTTP/1.1 connection (a minimal client: JSON in, status and body out)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 host: str) -> None:
        self.reader, self.writer, self.host = reader, writer, host

    async def request(self, method: str, path: str, body: bytes = b"",
                      headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}",
                 f"Content-Length: {len(body)}"]
        if body:
            lines.append("Content-Type: application/json")
        lines.extend(f"{k}: {v}" for k, v in (headers or {}).items())
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        status = int((await self.reader.readline()).split()[1])
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value.strip())
        return status, await self.reader.readexactly(length)


def _heartbeat_body(i: int) -> bytes:
    paper = "low" if i % 17 == 0 else "ok"
    return json.dumps({
        "app_version": "0.1.0", "bundle_version": "2026.11.3", "outbox_depth": i % 5,
        "sessions": i % 40, "ratings": i % 11,
        "devices": {"printer": {"state": "ready", "supplies": paper},
                    "id_reader": {"state": "ready", "supplies": "n/a"},
                    "camera": {"state": "ready", "supplies": "n/a"}},
        "last_update": {"outcome": "ok", "version": "2026.11.3"}}).encode()


def _event_body(i: int) -> bytes:
    kind = "paper_low" if i % 2 else "paper_ok"
    return json.dumps({"events": [{"kind": kind, "device": "printer"}]}).encode()


def _prepare(url: str, terminals: int, interval: float) -> list[str]:
    """Migrate, enrol `terminals` terminals and an admin; returns the tokens.

    The fleet is already running: each terminal's previous heartbeat (the same report it will
    send) arrived one interval (at least 20 s) before its first one in the load window, and
    its open alerts
    exist, so the window measures the steady state, not every terminal's first heartbeat."""
    from datetime import timedelta

    from kiosk.console import fleet
    from kiosk.console.db import open_database, utcnow
    from kiosk.console.models import Alert, Terminal, User
    from kiosk.console.passwords import hash_password
    from kiosk.console.terminal_auth import hash_token
    from kiosk.console.wire import HeartbeatIn

    engine, sessions = open_database(url)
    tokens = [secrets.token_urlsafe(32) for _ in range(terminals)]
    now = utcnow()
    districts = ["东城区", "西城区", "朝阳区", "海淀区", "丰台区", "石景山区", "通州区", "昌平区"]
    rows, alerts = [], []
    gap = max(interval, 20.0)  # never sooner than the console's minimum (10 s by default)
    for i, t in enumerate(tokens):
        beat = HeartbeatIn.model_validate_json(_heartbeat_body(i))
        row = Terminal(
            id=f"BJ-{i:05d}", district=districts[i % len(districts)],
            site=f"第{i // 40 + 1}便民服务中心", group_name="大厅", token_hash=hash_token(t),
            revoked=False, enrolled_at=now, out_of_service_message="", pending_commands=0,
            last_heartbeat_at=now + timedelta(seconds=interval * i / terminals - gap),
            app_version=beat.app_version, bundle_version=beat.bundle_version,
            devices={n: d.model_dump(mode="json") for n, d in beat.devices.items()},
            outbox_depth=beat.outbox_depth, sessions=beat.sessions, ratings=beat.ratings,
            last_update=beat.last_update.model_dump(mode="json"), out_of_service=False)
        fleet.refresh_summary(row, now)
        rows.append(row)
        if row.degraded:
            alerts.append(Alert(terminal_id=row.id, kind="paper_low", device="printer",
                                detail="", state="open", raised_at=now, acknowledged_by=""))
    with sessions() as db:
        db.add(User(username="bench", display_name="bench", role="admin", active=True,
                    password_hash=hash_password(BENCH_PASSWORD), created_at=now))
        db.add_all(rows)
        db.flush()
        db.add_all(alerts)
        db.commit()
    engine.dispose()
    return tokens


def _start_console(url: str) -> tuple[subprocess.Popen[str], str]:
    return _start([sys.executable, "-m", "kiosk", "console", "--db", url, "--port", "0",
                   # plain http with tokens (docs/adr/0700's explicit development mode): the
                   # bench measures ingest, not TLS handshakes
                   "--insecure-http"], "console listening on")


def _start(command: list[str], banner: str) -> tuple[subprocess.Popen[str], str]:
    # Its own session (so its own scheduling group under the kernel's autogroup), as a
    # console on its own server would be: not sharing one CPU share with the load generator.
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
                               start_new_session=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    if banner not in line:
        process.kill()
        raise RuntimeError(f"{command[-1]} did not start")
    return process, line.split()[3]


def _run_floor(args: argparse.Namespace) -> _Figures:
    """The same load against a bare FastAPI app (kiosk/harness/bench/console_floor.py)."""
    figures = _Figures("floor: bare FastAPI, same requests", args.terminals)
    process, base = _start([sys.executable, "-m", "kiosk.harness.bench.console_floor"],
                           "floor listening on")
    tokens = ["floor"] * args.terminals
    try:
        asyncio.run(_load(base, tokens, args.seconds, args.interval, args.connections,
                          figures, process.pid))
    finally:
        process.terminate()
        process.wait(timeout=30)
    return figures


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


async def _load(base: str, tokens: list[str], seconds: float, interval: float,
                connections: int, figures: _Figures, pid: int) -> None:
    parts = urlsplit(base)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    pool: asyncio.Queue[_Connection] = asyncio.Queue()
    for _ in range(connections):
        reader, writer = await asyncio.open_connection(host, port)
        pool.put_nowait(_Connection(reader, writer, f"{host}:{port}"))

    async def call(method: str, path: str, body: bytes, headers: dict[str, str],
                   into: list[float]) -> int:
        conn = await pool.get()
        started = time.perf_counter()
        try:
            status, _ = await conn.request(method, path, body, headers)
        finally:
            pool.put_nowait(conn)
        into.append((time.perf_counter() - started) * 1000)
        return status

    for _ in range(200):  # the floor: a bare round trip through the same server
        await call("GET", "/healthz", b"", {}, figures.floor_ms)

    rate = len(tokens) / interval  # heartbeats per second across the fleet
    total = int(rate * seconds)
    tasks = []
    cpu_before = _cpu_seconds(pid)
    t0 = time.perf_counter()

    async def one(n: int) -> None:
        await asyncio.sleep(max(0.0, t0 + n / rate - time.perf_counter()))
        i = n % len(tokens)
        headers = {"Authorization": f"Bearer {tokens[i]}"}
        path = f"/api/v1/terminals/BJ-{i:05d}"
        if n % 10 == 9:
            status = await call("POST", f"{path}/events", _event_body(n), headers,
                                figures.events_ms)
            figures.latencies_ms.append(figures.events_ms[-1])
        else:
            status = await call("POST", f"{path}/heartbeat", _heartbeat_body(i), headers,
                                figures.heartbeat_ms)
            figures.latencies_ms.append(figures.heartbeat_ms[-1])
        figures.sent += 1
        if status == 200:
            figures.ok += 1
        else:
            figures.refused[status] = figures.refused.get(status, 0) + 1

    tasks = [asyncio.create_task(one(n)) for n in range(total)]
    await asyncio.gather(*tasks)
    figures.seconds = time.perf_counter() - t0
    figures.cpu_seconds = _cpu_seconds(pid) - cpu_before
    while not pool.empty():
        pool.get_nowait().writer.close()


def _fleet_page(base: str, figures: _Figures) -> None:
    http = requests.Session()
    page = http.get(f"{base}/login", timeout=30)
    found = re.search(r'name="login_csrf" value="([^"]+)"', page.text)
    assert found
    http.post(f"{base}/login", data={"username": "bench", "password": BENCH_PASSWORD,
                                     "login_csrf": found.group(1)}, timeout=60)
    for _ in range(5):
        started = time.perf_counter()
        answer = http.get(f"{base}/fleet", timeout=120)
        figures.fleet_ms.append((time.perf_counter() - started) * 1000)
        figures.fleet_bytes = len(answer.content)
        if answer.status_code != 200:
            raise RuntimeError(f"fleet page answered {answer.status_code}")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def _run_one(kind: str, url: str, args: argparse.Namespace) -> _Figures:
    figures = _Figures(kind, args.terminals)
    tokens = _prepare(url, args.terminals, args.interval)
    process, base = _start_console(url)
    try:
        asyncio.run(_load(base, tokens, args.seconds, args.interval, args.connections,
                          figures, process.pid))
        _fleet_page(base, figures)
    finally:
        process.terminate()
        process.wait(timeout=30)
    return figures


def _print(f: _Figures, interval: float, bare: _Figures | None = None) -> None:
    floor = statistics.median(f.floor_ms)
    p50, p99 = _pct(f.latencies_ms, 0.50), _pct(f.latencies_ms, 0.99)
    core = f.cpu_seconds / f.seconds if f.seconds else float("nan")
    print(f"[{f.database}] {f.terminals} terminals, one heartbeat each per {interval:.0f} s "
          f"(+1 event per 10), {f.seconds:.1f} s")
    print(f"  sent {f.sent}, ok {f.ok}, refused {f.refused or 'none'}; "
          f"throughput {f.ok / f.seconds:.1f}/s (target {f.terminals / interval:.1f}/s)")
    print(f"  latency p50 {p50:.1f} ms, p99 {p99:.1f} ms; floor (/healthz) p50 {floor:.2f} ms; "
          f"ratio p50/floor {p50 / floor:.1f}")
    print(f"  heartbeats p50 {_pct(f.heartbeat_ms, 0.5):.1f} ms, p99 "
          f"{_pct(f.heartbeat_ms, 0.99):.1f} ms; events p50 {_pct(f.events_ms, 0.5):.1f} ms, "
          f"p99 {_pct(f.events_ms, 0.99):.1f} ms")
    print(f"  console CPU {100 * core:.1f}% of one core; per 1,000 terminals "
          f"{100 * core * 1000 / f.terminals:.1f}%")
    if f.fleet_ms:
        print(f"  fleet page with {f.terminals} terminals: median "
              f"{statistics.median(f.fleet_ms):.0f} ms, best {min(f.fleet_ms):.0f} ms "
              f"({f.fleet_bytes / 1024:.0f} KiB)")
    if bare is not None and bare is not f:
        b50, b99 = _pct(bare.latencies_ms, 0.50), _pct(bare.latencies_ms, 0.99)
        bcore = bare.cpu_seconds / bare.seconds if bare.seconds else float("nan")
        print(f"  against the floor: p50 x{p50 / b50:.1f}, p99 x{p99 / b99:.1f}, "
              f"CPU x{core / bcore:.1f}")


def main(argv: list[str]) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="kiosk bench console", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--terminals", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the load window")
    parser.add_argument("--interval", type=float, default=PRODUCTION_HEARTBEAT_SECONDS,
                        help="heartbeat interval per terminal (production: 60)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args(argv)
    if args.terminals < 1 or args.seconds <= 0:
        parser.error("--terminals and --seconds must be positive")
    from kiosk.console.pgtemp import PostgresUnavailable, start_temp_postgres

    results = [_run_floor(args)]
    with tempfile.TemporaryDirectory(prefix="console-bench-") as tmp:
        if args.db in ("sqlite", "both"):
            results.append(_run_one("sqlite", f"sqlite:///{tmp}/console.db", args))
        if args.db in ("postgresql", "both"):
            try:
                server = start_temp_postgres()
            except PostgresUnavailable as exc:
                print(f"kiosk bench console: {exc}", file=sys.stderr)
                return 1
            try:
                name = server.new_database()
                results.append(_run_one("postgresql", server.sqlalchemy_url(name), args))
            finally:
                server.stop()
    for figures in results:
        _print(figures, args.interval, results[0])
    return 0
