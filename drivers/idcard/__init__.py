"""Second-generation ID card reader (GA/T 467 SAM protocol over a serial port).

- `protocol`: frames, checksum, SW3 codes, the streaming parser (pure);
- `text`, `payload`, `tables`: the card's text block, read payloads, code tables (pure);
- `reader`: the driver (pyserial, one worker thread, events to a listener);
- `simulator`, `sim_cards`: a reader on a pty with synthetic cards and fault injection;
- `photo`: the pluggable photo decoder (none by default: no photo is kept).

`open_idcard_reader(url, **options)` is the one factory:

- ``serial:///dev/ttyUSB0?baud=115200``, ``serial://usb-VENDOR_...-if00-port0`` (by-id name),
  a plain path, or any pyserial URL: the real reader on that port;
- ``sim://idcard[?baud=115200&wire_time=1&card_time=typical&card=resident&quiet_after_read=1]``:
  starts an `IdCardSimulator` on a pty and connects the real driver to it; the returned reader
  has ``.simulator`` to insert/remove cards and inject faults, and stopping the reader stops it.

``options`` are `ReaderOptions` fields (timeouts, poll interval, ``photo_decoder`` ...); the
photo decoder can also be named in the URL: ``...?photo_decoder=vendor.wlt:decode``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from drivers.idcard.failures import ReadFailure
from drivers.idcard.port import PortSpec, PortUrlError, parse_port_url
from drivers.idcard.protocol import Command, IdCardProtocolError, Sw3
from drivers.idcard.reader import CardState, IdCardReader, ReaderOptions, reader_options
from drivers.idcard.simulator import TYPICAL_TIMING, CardTiming, Fault, IdCardSimulator

_SIM_KEYS = {"baud", "wire_time", "card_time", "card", "quiet_after_read", "link",
             "photo_decoder"}
_TRUE = {"1", "true", "yes", "on"}


def open_idcard_reader(url: str, **options: Any) -> IdCardReader:
    """Build the reader named by ``url`` (not started: call ``start(listener)``)."""
    options = {**_url_photo_decoder(url), **options}
    if url.startswith("sim://"):
        return _open_simulated(url, options)
    opts = reader_options(**options)
    spec = parse_port_url(url, options.get("baud"))
    if "baud" not in options and spec.baud != opts.baud:
        opts = reader_options(**{**options, "baud": spec.baud})
    return IdCardReader(spec, opts)


def _url_photo_decoder(url: str) -> dict[str, Any]:
    """``photo_decoder`` from the query of a serial:// or sim:// URL (config names it there)."""
    if not url.startswith(("serial://", "sim://")):
        return {}
    values = parse_qs(urlsplit(url).query).get("photo_decoder")
    return {"photo_decoder": values[-1]} if values else {}


def _open_simulated(url: str, options: dict[str, Any]) -> IdCardReader:
    parts = urlsplit(url)
    if parts.netloc != "idcard":
        raise PortUrlError(f"{url}: the ID card simulator is sim://idcard")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    unknown = set(query) - _SIM_KEYS
    if unknown:
        raise PortUrlError(f"{url}: unknown option(s) {', '.join(sorted(unknown))}")
    try:
        baud = int(query.get("baud", options.get("baud", 115200)))
    except ValueError:
        raise PortUrlError(f"{url}: baud must be a number") from None
    timing_name = query.get("card_time", "zero")
    if timing_name not in ("zero", "typical"):
        raise PortUrlError(f"{url}: card_time is zero or typical")
    opts = reader_options(**{**options, "baud": baud})
    simulator = IdCardSimulator(
        query.get("link"), baud=baud, wire_time=query.get("wire_time", "0").lower() in _TRUE,
        timing=TYPICAL_TIMING if timing_name == "typical" else CardTiming(),
        quiet_after_read=query.get("quiet_after_read", "0").lower() in _TRUE)
    card = query.get("card")
    if card is not None and card not in simulator.cards:
        raise PortUrlError(f"{url}: no simulated card {card!r}; one of "
                           f"{', '.join(simulator.cards)}")
    simulator.start()
    if card is not None:
        simulator.insert(card)
    reader = IdCardReader(PortSpec(str(simulator.port_path), baud), opts, owned=simulator)
    reader.simulator = simulator
    return reader


__all__ = [
    "CardState", "CardTiming", "Command", "Fault", "IdCardProtocolError", "IdCardReader",
    "IdCardSimulator", "PortUrlError", "ReadFailure", "ReaderOptions", "Sw3",
    "open_idcard_reader",
]
