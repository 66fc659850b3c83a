"""A4 document printers: the IPP driver and the ippeveprinter-backed simulator.

`open_document_printer(url, **options)` picks the backend from a URL:

- ``ipp://host:port/path`` (or ``ipps://``): a real printer or CUPS queue over IPP;
- ``sim://docprinter``: starts a real `ippeveprinter` on loopback and returns the same IPP driver
  pointed at it, with the simulator reachable as ``printer.simulator``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from drivers.docprinter.driver import IppDocumentPrinter
from drivers.docprinter.simulator import DocPrinterSimulator, SimFault

__all__ = ["DocPrinterSimulator", "IppDocumentPrinter", "SimFault", "open_document_printer"]

SIMULATOR_OPTIONS = ("port", "root", "spool")


def open_document_printer(url: str, **options: Any) -> IppDocumentPrinter:
    """Open the document printer named by ``url``; options go to `IppDocumentPrinter`.

    Raises ValueError for an unsupported URL and RuntimeError when the simulator cannot start.
    """
    parts = urlsplit(url)
    if parts.scheme in ("ipp", "ipps"):
        return IppDocumentPrinter(url, **options)
    if parts.scheme == "sim" and parts.netloc == "docprinter":
        sim_options = {k: options.pop(k) for k in SIMULATOR_OPTIONS if k in options}
        simulator = DocPrinterSimulator(**sim_options).start()
        printer = IppDocumentPrinter(simulator.uri, **options)
        printer.simulator = simulator
        return printer
    raise ValueError(f"unsupported document printer URL {url!r} (ipp://host:port/path or "
                     "sim://docprinter)")
