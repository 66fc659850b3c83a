"""`kiosk bench platform [--journeys N]`: a resident's platform calls against the sandbox.

Starts the embedded sandbox on loopback with a fresh database and times, per journey:
verify (ID card) -> profile -> 社保缴费记录 page -> issue 社保缴费证明 -> submit an application ->
rating, through the real client. The floor is a bare ``GET /v1/health`` round trip measured in the
same run on the same server; the ratio says what the platform work costs above the transport.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from kiosk.platform import PlatformClient
from kiosk.sandbox import start_sandbox
from kiosk.sandbox.seed import RESIDENTS

CALLS_PER_JOURNEY = 6


def _journey(client: PlatformClient, index: int) -> None:
    resident = RESIDENTS[index % len(RESIDENTS)]
    token = client.verify_identity(
        "idcard", id_number=resident.id_number, name=resident.name
    ).resident_token
    client.profile(token)
    client.records(token, "social-insurance-payments", size=10)
    client.issue_certificate("social-insurance-payment", token)
    client.submit_application("some-bench-service", token, {"note": str(index)})
    client.rate("social-insurance-payments", 5, resident_token=token)


def main(argv: list[str]) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="kiosk bench platform")
    parser.add_argument("--journeys", type=int, default=200, help="journeys to time")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        handle = start_sandbox(Path(folder) / "bench.db")
        try:
            with PlatformClient(handle.url, terminal_id="BENCH", retries=0) as client:
                for index in range(10):  # warm up connections and caches
                    client.health()
                    _journey(client, index)
                floor = []
                for _ in range(args.journeys * CALLS_PER_JOURNEY):
                    started = time.perf_counter()
                    client.health()
                    floor.append(time.perf_counter() - started)
                journeys = []
                for index in range(args.journeys):
                    started = time.perf_counter()
                    _journey(client, index)
                    journeys.append(time.perf_counter() - started)
        finally:
            handle.stop()
    health_ms = statistics.median(floor) * 1000
    journey_ms = statistics.median(journeys) * 1000
    per_call_ms = journey_ms / CALLS_PER_JOURNEY
    print(f"floor: GET /v1/health round trip, median {health_ms:.2f} ms ({len(floor)} calls)")
    print(
        f"journey: {CALLS_PER_JOURNEY} calls, median {journey_ms:.2f} ms, "
        f"p95 {sorted(journeys)[int(len(journeys) * 0.95) - 1] * 1000:.2f} ms "
        f"({args.journeys} journeys)"
    )
    print(f"per call in a journey: {per_call_ms:.2f} ms = {per_call_ms / health_ms:.2f} x floor")
    return 0
