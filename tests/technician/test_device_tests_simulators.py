"""Device tests before saving, against the simulators (real drivers over pty, TCP, pcscd,
ippeveprinter, OpenCV): each device does its job once and reports without personal data."""

from __future__ import annotations

import pytest

from kiosk.technician.device_tests import TestOptions, run_device_test

OPTS = TestOptions(terminal_id="T-TEST", present_timeout_seconds=15)


def test_id_card_reader_reads_a_card_and_shows_only_a_masked_number() -> None:
    result = run_device_test("idcard", "sim://idcard", OPTS)
    assert result.ok, result.detail
    assert "card read" in result.detail
    assert "********" in result.detail


def test_receipt_printer_prints_a_test_receipt() -> None:
    result = run_device_test("receipt_printer", "sim://receipt",
                             TestOptions(receipt_width_chars=32))
    assert result.ok, result.detail
    assert "32 chars" in result.detail


def test_document_printer_prints_a_test_page_on_ippeveprinter() -> None:
    result = run_device_test("document_printer", "sim://docprinter", OPTS)
    assert result.ok, result.detail
    assert "test page printed" in result.detail


def test_scanner_waits_for_a_code() -> None:
    result = run_device_test("scanner", "sim://scanner", OPTS)
    assert result.ok, result.detail


def test_camera_grabs_a_frame_and_finds_the_face() -> None:
    result = run_device_test("camera", "sim://camera", OPTS)
    assert result.ok, result.detail
    assert "1 face" in result.detail
    assert result.preview_png is not None and result.preview_png.startswith(b"\x89PNG")


@pytest.mark.parametrize("url", ["sim://nothing", "serial://"])
def test_bad_url_is_a_failed_test_with_the_reason(url: str) -> None:
    result = run_device_test("idcard", url, OPTS)
    assert not result.ok
    assert "cannot open" in result.detail
