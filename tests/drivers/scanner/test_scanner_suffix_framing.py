"""Suffix framing: CR, LF, CRLF and TAB all end a code; codes split across reads are joined;
a scanner without a suffix is framed by an idle timeout."""

from __future__ import annotations

import pytest

from drivers.scanner import CODE_SCANNED, open_scanner
from drivers.scanner.framing import SuffixFramer
from tests.drivers.device_events import Events, wait_until


@pytest.mark.parametrize("suffix", [b"\r", b"\n", b"\r\n", b"\t"])
def test_each_suffix(suffix: bytes) -> None:
    framer = SuffixFramer()
    assert framer.feed(b"ABC" + suffix + b"DEF" + suffix) == [b"ABC", b"DEF"]
    assert framer.pending == 0


def test_split_across_reads() -> None:
    framer = SuffixFramer()
    assert framer.feed(b"SB2026") == []
    assert framer.feed(b"1121000123\r") == [b"SB20261121000123"]
    assert framer.feed(b"\n") == []  # the LF of a CRLF split over two reads


def test_flush() -> None:
    framer = SuffixFramer()
    framer.feed(b"no-suffix")
    assert framer.flush() == [b"no-suffix"]
    assert framer.flush() == []


@pytest.mark.parametrize("suffix", ["\r", "\n", "\r\n", "\t"])
def test_over_the_wire(suffix: str) -> None:
    scanner = open_scanner("sim://scanner")
    sim = scanner.simulator
    events = Events()
    try:
        scanner.start(events)
        wait_until(lambda: scanner.status().usable)
        sim.scan("扫码亮证-1", suffix=suffix)
        sim.scan("second", suffix=suffix)
        wait_until(lambda: len(events.of_kind(CODE_SCANNED)) == 2)
        texts = [e.payload.text for e in events.of_kind(CODE_SCANNED)]
        assert texts == ["扫码亮证-1", "second"]
    finally:
        scanner.stop()
        sim.close()


def test_idle_flush_for_suffixless_scanners() -> None:
    scanner = open_scanner("sim://scanner", idle_flush_s=0.15)
    sim = scanner.simulator
    events = Events()
    try:
        scanner.start(events)
        wait_until(lambda: scanner.status().usable)
        sim.scan("SB20261121000001", suffix="")
        event = events.wait_for(lambda e: e.kind == CODE_SCANNED)
        assert event.payload.text == "SB20261121000001"
    finally:
        scanner.stop()
        sim.close()
