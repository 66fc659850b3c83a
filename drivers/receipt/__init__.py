"""Receipt (thermal, ESC/POS) printers: model, pure byte builder, DLE EOT status, driver, simulator.

`open_receipt_printer(url, **options)` picks the transport from a URL:

- ``escpos+tcp://host:9100`` (raw TCP), ``escpos+serial:///dev/ttyUSB0?baud=9600``,
  ``escpos+usb://VID:PID`` (hex ids; needs pyusb and permissions), ``escpos+file:///dev/usb/lp0``;
- ``sim://receipt``: an in-process ESC/POS listener on loopback (``printer.simulator``);
  ``sim://receipt?transport=serial`` serves the same simulator on a pseudo-terminal.

Options: ``near_end_sensor`` (bool), ``status_interval_seconds``, ``settle_seconds``,
``status_timeout_seconds``, ``timeout`` (TCP connect/write seconds).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from drivers.receipt.driver import EscposReceiptPrinter
from drivers.receipt.model import Align, Feed, QrCode, Receipt, Rule, TextLine
from drivers.receipt.simulator import PaperState, ReceiptPrinterSimulator
from drivers.receipt.transport import EscposTransport

__all__ = [
    "Align",
    "EscposReceiptPrinter",
    "Feed",
    "PaperState",
    "QrCode",
    "Receipt",
    "ReceiptPrinterSimulator",
    "Rule",
    "TextLine",
    "open_receipt_printer",
]

DEFAULT_TCP_PORT = 9100


def open_receipt_printer(url: str, **options: Any) -> EscposReceiptPrinter:
    """Open the receipt printer named by ``url``. Raises ValueError for an unsupported URL."""
    parts = urlsplit(url)
    status_timeout = float(options.pop("status_timeout_seconds", 1.0))
    tcp_timeout = float(options.pop("timeout", 5.0))
    simulator = None
    if parts.scheme == "sim" and parts.netloc == "receipt":
        simulator = ReceiptPrinterSimulator().start()
        if parse_qs(parts.query).get("transport") == ["serial"]:
            transport = EscposTransport("serial", status_timeout, devfile=simulator.open_serial(),
                                        baudrate=9600)
        else:
            transport = EscposTransport("network", status_timeout, host=simulator.host,
                                        port=simulator.port, timeout=tcp_timeout)
    elif parts.scheme == "escpos+tcp":
        if not parts.hostname:
            raise ValueError(f"{url!r}: escpos+tcp needs a host")
        transport = EscposTransport("network", status_timeout, host=parts.hostname,
                                    port=parts.port or DEFAULT_TCP_PORT, timeout=tcp_timeout)
    elif parts.scheme == "escpos+serial":
        query = parse_qs(parts.query)
        baud = int(query.get("baud", ["9600"])[0])
        if not parts.path:
            raise ValueError(f"{url!r}: escpos+serial needs a device path")
        transport = EscposTransport("serial", status_timeout, devfile=parts.path, baudrate=baud)
    elif parts.scheme == "escpos+usb":
        vid, _, pid = parts.netloc.partition(":")
        try:
            transport = EscposTransport("usb", status_timeout, vid=int(vid, 16), pid=int(pid, 16))
        except ValueError:
            raise ValueError(f"{url!r}: expected escpos+usb://VID:PID in hex") from None
    elif parts.scheme == "escpos+file":
        transport = EscposTransport("file", status_timeout, devfile=parts.path)
    else:
        raise ValueError(f"unsupported receipt printer URL {url!r}")
    printer = EscposReceiptPrinter(transport, **options)
    printer.simulator = simulator
    return printer
