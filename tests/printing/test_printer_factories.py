"""Printer factories: URLs to transports, clear refusals, no traceback for a missing device."""

from __future__ import annotations

import pytest

from drivers.docprinter import IppDocumentPrinter, open_document_printer
from drivers.receipt import open_receipt_printer
from drivers.status import DeviceState


def test_receipt_urls() -> None:
    tcp = open_receipt_printer("escpos+tcp://10.0.0.5")
    assert tcp.transport.kind == "network" and tcp.transport.params["port"] == 9100
    serial = open_receipt_printer("escpos+serial:///dev/ttyUSB0?baud=19200")
    assert serial.transport.params == {"devfile": "/dev/ttyUSB0", "baudrate": 19200}
    usb = open_receipt_printer("escpos+usb://0416:5011")
    assert usb.transport.params == {"vid": 0x0416, "pid": 0x5011}
    for bad in ("escpos+usb://nothex", "lpt://x", "escpos+tcp://", "sim://nothing"):
        with pytest.raises(ValueError):
            open_receipt_printer(bad)


def test_missing_usb_printer_is_no_device() -> None:
    printer = open_receipt_printer("escpos+usb://0416:5011")
    status = printer.refresh_status()
    assert status.state is DeviceState.NO_DEVICE
    printer.stop()


def test_missing_serial_printer_is_no_device(tmp_path) -> None:
    printer = open_receipt_printer(f"escpos+serial://{tmp_path}/ttyNONE?baud=9600")
    assert printer.refresh_status().state is DeviceState.NO_DEVICE
    printer.stop()


def test_document_printer_urls() -> None:
    printer = open_document_printer("ipp://127.0.0.1:1/ipp/print", request_timeout_seconds=1)
    assert isinstance(printer, IppDocumentPrinter) and printer.simulator is None
    assert printer.refresh_status().state is DeviceState.OFFLINE
    printer.stop()
    with pytest.raises(ValueError):
        open_document_printer("lpd://x/queue")
