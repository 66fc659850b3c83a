"""Fault: the technician picks a serial port where nothing answers. The test fails with the
reason instead of hanging or raising, so saving stays blocked."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.technician.device_tests import TestOptions, run_device_test

OPTS = TestOptions(present_timeout_seconds=10, open_timeout_seconds=10)


@pytest.fixture
def silent_pty(tmp_path: Path) -> Iterator[Path]:
    """A pty whose other end is held open but never answers."""
    master, slave = os.openpty()
    link = tmp_path / "ttySILENT"
    link.symlink_to(os.ttyname(slave))
    yield link
    os.close(master)
    os.close(slave)


def test_id_card_reader_on_a_silent_port_fails_with_the_reason(silent_pty: Path) -> None:
    result = run_device_test("idcard", f"serial://{silent_pty}", OPTS)
    assert not result.ok
    assert "not answering" in result.detail


def test_missing_port_fails_with_the_reason(tmp_path: Path) -> None:
    result = run_device_test("idcard", f"serial://{tmp_path}/ttyGONE", OPTS)
    assert not result.ok
    assert "no_device" in result.detail


def test_receipt_printer_on_a_silent_port_fails_with_the_reason(silent_pty: Path) -> None:
    result = run_device_test("receipt_printer", f"escpos+serial://{silent_pty}?baud=9600", OPTS)
    assert not result.ok  # nothing confirmed the print: the technician is asked
    assert "nothing reported a status" in result.detail
    assert result.confirm
    assert result.confirmed().ok
