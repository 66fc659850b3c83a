"""Garbage from a scanner (binary noise, control and bidi characters, invalid encodings) is
rejected as a value with a reason and no text, over the real serial driver and a pty; the next
good code still comes through."""

from __future__ import annotations

import pytest

from drivers.scanner import CODE_REJECTED, CODE_SCANNED, CodeKind, SerialScanner, open_scanner
from drivers.scanner.payloads import classify
from tests.drivers.device_events import Events, wait_until


@pytest.mark.parametrize(("raw", "reason"), [
    (b"\x00\x01\x02abc", "forbidden character"),
    (b"abc\x1b[2Jdef", "forbidden character"),  # a terminal escape sequence
    ("abc\u202edef".encode(), "forbidden character"),  # right-to-left override
    ("abc\u200bdef".encode(), "forbidden character"),  # zero-width space (format char)
    (b"\xff\xfe\xfd\xfc", "not valid"),
    (b"   ", "empty"),
])
def test_classify_rejects(raw: bytes, reason: str) -> None:
    code = classify(raw)
    assert code.kind is CodeKind.REJECTED
    assert reason in code.reason
    assert code.text == ""


def test_garbage_over_the_wire_then_a_good_code() -> None:
    scanner = open_scanner("sim://scanner")
    assert isinstance(scanner, SerialScanner)
    sim = scanner.simulator
    events = Events()
    try:
        scanner.start(events)
        wait_until(lambda: scanner.status().usable)
        sim.write_raw(bytes(range(0, 9)) + b"\r")  # controls before the first terminator
        sim.write_raw(b"\x80\x81\xfe\xff\xc0\xc1\r")
        sim.write_raw(b"\r\n\r\n\t")  # only terminators: nothing
        sim.scan("SB20261121000007")
        good = events.wait_for(lambda e: e.kind == CODE_SCANNED)
        assert good.payload.kind is CodeKind.CASE_NUMBER
        rejected = events.of_kind(CODE_REJECTED)
        assert len(rejected) == 2
        assert all(e.payload.kind is CodeKind.REJECTED and e.payload.text == "" for e in rejected)
        assert scanner.status().usable
    finally:
        scanner.stop()
        sim.close()
