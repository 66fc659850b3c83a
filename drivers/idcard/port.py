"""Where the reader is: configuration URLs to serial ports, and opening them with pyserial.

Accepted forms:

- ``serial:///dev/ttyUSB0?baud=115200`` - a device path (``baud`` optional; a
  ``photo_decoder=package.module:attr`` query names the photo decoder);
- ``serial:///dev/serial/by-id/usb-...`` or just ``serial://usb-...`` - a stable by-id name
  (a bare name is looked up in ``/dev/serial/by-id``), which survives re-plugging;
- a plain path such as ``/dev/ttyUSB0``;
- any other pyserial URL (``socket://host:port``, ``rfc2217://...``, ``spy://...``, ``loop://``).

The path is kept as given (never resolved), so a by-id link that re-appears on another ttyUSB
after a USB re-plug is found again.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import serial

BY_ID_DIR = "/dev/serial/by-id"
DEFAULT_BAUD = 115200


class PortUrlError(ValueError):
    """A reader URL that cannot name a port (a configuration error)."""


@dataclass(frozen=True, slots=True)
class PortSpec:
    """A port to open: a device path or a pyserial URL, and the baud rate."""

    target: str
    baud: int = DEFAULT_BAUD
    pyserial_url: bool = False

    def describe(self) -> str:
        """Technician-facing name of the port."""
        return self.target


#: The URL protocols pyserial itself opens (serial.serial_for_url); any other one (a typo such
#: as ``seriall://``) is refused when the URL is parsed, not in the reader's thread.
PYSERIAL_SCHEMES = ("socket", "rfc2217", "loop", "spy", "hwgrep", "alt", "cp2110")


def parse_port_url(url: str, baud: int | None = None) -> PortSpec:
    """Turn a configuration URL into a `PortSpec`; ``baud`` overrides a ``?baud=`` query."""
    text = url.strip()
    if not text:
        raise PortUrlError("empty reader URL")
    if "://" not in text:
        return PortSpec(text, baud or DEFAULT_BAUD)
    parts = urlsplit(text)
    if parts.scheme == "sim":
        raise PortUrlError("sim:// URLs start a simulator; use open_idcard_reader")
    if parts.scheme != "serial":
        if parts.scheme not in PYSERIAL_SCHEMES:
            raise PortUrlError(f"{url}: unknown scheme {parts.scheme!r}; expected serial:// "
                               f"or one of {', '.join(s + '://' for s in PYSERIAL_SCHEMES)}")
        return PortSpec(text, baud or DEFAULT_BAUD, pyserial_url=True)
    query = parse_qs(parts.query)
    unknown = set(query) - {"baud", "photo_decoder"}  # the decoder is the reader's business
    if unknown:
        raise PortUrlError(f"{url}: unknown option(s) {', '.join(sorted(unknown))}")
    if baud is None and "baud" in query:
        try:
            baud = int(query["baud"][-1])
        except ValueError:
            raise PortUrlError(f"{url}: baud must be a number") from None
    path = parts.netloc + parts.path
    if not path:
        raise PortUrlError(f"{url}: no port path")
    if not path.startswith("/"):
        path = f"{BY_ID_DIR}/{path}"
    if baud is not None and baud <= 0:
        raise PortUrlError(f"{url}: baud must be positive")
    return PortSpec(path, baud or DEFAULT_BAUD)


def open_port(spec: PortSpec, read_timeout_s: float, write_timeout_s: float) -> serial.SerialBase:
    """Open the port (raises serial.SerialException when it is not there)."""
    return serial.serial_for_url(spec.target, baudrate=spec.baud, timeout=read_timeout_s,
                                 write_timeout=write_timeout_s)
