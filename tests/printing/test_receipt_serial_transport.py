"""The serial transport: the same driver over a pseudo-terminal, DLE EOT answered promptly."""

from __future__ import annotations

import socket
import time

from drivers.receipt import open_receipt_printer
from drivers.receipt.simulator import ReceiptPrinterSimulator
from drivers.status import SupplyState
from flows.documents import ReceiptDocument
from kiosk.printing.receipts import receipt_from_document
from tests.printing.escpos_decode import decode


def test_receipt_over_a_serial_line() -> None:
    printer = open_receipt_printer("sim://receipt?transport=serial", status_timeout_seconds=2.0)
    assert printer.transport.kind == "serial"
    printer.start(lambda event: None)
    try:
        assert printer.refresh_status().supplies is SupplyState.OK
        printer.simulator.set_paper("near_end")
        result = printer.print_receipt(receipt_from_document(
            ReceiptDocument("串口回执", (("业务", "社保缴费证明"),), qr="ZWC1:SERIAL")))
        assert result.ok and result.details["status_after"].supplies is SupplyState.LOW
        decoded = decode(printer.simulator.captured())
        assert "串口回执" in decoded.text and decoded.qr_payloads == ["ZWC1:SERIAL"]
    finally:
        printer.stop()


def test_status_request_split_across_writes_is_still_answered() -> None:
    sim = ReceiptPrinterSimulator().start()
    try:
        with socket.create_connection((sim.host, sim.port), timeout=2) as conn:
            conn.sendall(b"AB\x10")
            time.sleep(0.05)
            conn.sendall(b"\x04\x04CD\x10\x04")
            time.sleep(0.05)
            conn.sendall(b"\x01")
            assert conn.recv(1) == b"\x12" and conn.recv(1) == b"\x12"
        assert sim.captured() == b"ABCD"
    finally:
        sim.stop()
