"""A scanner sending far more than a code can hold (stuck trigger, hostile device): one
rejection per oversized frame, memory bounded by the frame limit, and the next code is fine."""

from __future__ import annotations

from drivers.scanner import CODE_REJECTED, CODE_SCANNED, CodeKind, open_scanner
from drivers.scanner.framing import Overflow, SuffixFramer
from drivers.scanner.payloads import MAX_CODE_CHARS, classify
from tests.drivers.device_events import Events, wait_until


def test_framer_bounds_memory() -> None:
    framer = SuffixFramer(max_bytes=64)
    out = []
    for _ in range(1000):
        out += framer.feed(b"A" * 100)
        assert framer.pending <= 64 or out == []  # the buffer never holds more than the limit
    assert out == []
    assert len(framer._buffer) <= 64
    tail = framer.feed(b"\r") + framer.feed(b"OK\r")
    assert isinstance(tail[0], Overflow) and tail[0].discarded_bytes >= 100_000 - 64
    assert tail[1] == b"OK"


def test_long_text_rejected() -> None:
    assert classify("9" * (MAX_CODE_CHARS + 1)).reason == "too long"
    assert classify("9" * MAX_CODE_CHARS).kind is CodeKind.UNKNOWN


def test_overlong_over_the_wire() -> None:
    scanner = open_scanner("sim://scanner", max_bytes=1024)
    sim = scanner.simulator
    events = Events()
    try:
        scanner.start(events)
        wait_until(lambda: scanner.status().usable)
        sim.write_raw(b"7" * 200_000 + b"\r")
        sim.scan("https://www.gov.cn/")
        good = events.wait_for(lambda e: e.kind == CODE_SCANNED)
        assert good.payload.kind is CodeKind.URL
        rejected = events.of_kind(CODE_REJECTED)
        assert [e.payload.reason for e in rejected] == ["too long"]
    finally:
        scanner.stop()
        sim.close()
