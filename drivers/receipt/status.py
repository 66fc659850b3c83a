"""Pure DLE EOT real-time status parsing (n = 1..4) to the common status model.

A valid reply byte matches 0xx1xx10 (mask 0x93 == 0x12). No reply, or an invalid byte, means
that part of the status is unknown: many printers have no near-end sensor or answer nothing over a
one-way link, and UNKNOWN is a real state, not "ok".
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.status import DeviceState, DeviceStatus, SupplyState

DLE_EOT = b"\x10\x04"
REPLY_MASK = 0x93
REPLY_FIXED = 0x12


def request(n: int) -> bytes:
    """DLE EOT n."""
    if n not in (1, 2, 3, 4):
        raise ValueError("DLE EOT n must be 1..4")
    return DLE_EOT + bytes([n])


def valid_reply(byte: int | None) -> bool:
    """True when ``byte`` has the fixed bits of a status reply."""
    return byte is not None and (byte & REPLY_MASK) == REPLY_FIXED


@dataclass(frozen=True, slots=True)
class RawStatus:
    """Decoded status bits; ``None`` where the printer did not (validly) answer."""

    offline: bool | None = None  # n=1 bit3
    cover_open: bool | None = None  # n=2 bit2
    paper_end_stop: bool | None = None  # n=2 bit5
    error: bool | None = None  # n=2 bit6
    cutter_error: bool | None = None  # n=3 bit3
    unrecoverable: bool | None = None  # n=3 bit5
    auto_recoverable: bool | None = None  # n=3 bit6
    near_end: bool | None = None  # n=4 bits 2+3
    paper_out: bool | None = None  # n=4 bits 5+6

    @property
    def answered(self) -> bool:
        """True when at least one query was answered."""
        return any(v is not None for v in (self.offline, self.cover_open, self.cutter_error,
                                           self.near_end))


def parse(replies: dict[int, int | None]) -> RawStatus:
    """Decode the replies to DLE EOT 1..4 (``None`` or missing = no valid reply)."""

    def bit(n: int, mask: int) -> bool | None:
        byte = replies.get(n)
        return bool(byte & mask) if byte is not None and valid_reply(byte) else None

    return RawStatus(
        offline=bit(1, 0x08),
        cover_open=bit(2, 0x04),
        paper_end_stop=bit(2, 0x20),
        error=bit(2, 0x40),
        cutter_error=bit(3, 0x08),
        unrecoverable=bit(3, 0x20),
        auto_recoverable=bit(3, 0x40),
        near_end=bit(4, 0x0C),
        paper_out=bit(4, 0x60),
    )


def supplies(raw: RawStatus, near_end_sensor: bool = True) -> SupplyState:
    """Paper state: cover open and paper out first; UNKNOWN when the sensor did not answer."""
    if raw.cover_open:
        return SupplyState.COVER_OPEN
    if raw.paper_out or raw.paper_end_stop:
        return SupplyState.OUT
    if raw.paper_out is None:
        return SupplyState.UNKNOWN
    if not near_end_sensor:
        return SupplyState.UNKNOWN
    return SupplyState.LOW if raw.near_end else SupplyState.OK


#: The reason of a printer that answers no DLE EOT at all: it can print, but confirms nothing.
NO_STATUS_REASON = "printer does not report status"


def summarize(raw: RawStatus, near_end_sensor: bool = True) -> DeviceStatus:
    """The common status for a connected printer's DLE EOT answers."""
    paper = supplies(raw, near_end_sensor)
    if not raw.answered:
        return DeviceStatus(DeviceState.READY, NO_STATUS_REASON, paper)
    if raw.cutter_error:
        return DeviceStatus(DeviceState.ERROR, "auto-cutter error", paper)
    if raw.unrecoverable:
        return DeviceStatus(DeviceState.ERROR, "unrecoverable error", paper)
    if raw.auto_recoverable:
        return DeviceStatus(DeviceState.ERROR, "head overheated (recovers by itself)", paper)
    if paper is SupplyState.COVER_OPEN:
        return DeviceStatus(DeviceState.READY, "cover open", paper)
    if paper is SupplyState.OUT:
        return DeviceStatus(DeviceState.READY, "paper out", paper)
    if raw.offline or raw.error:
        return DeviceStatus(DeviceState.OFFLINE, "printer offline", paper)
    if paper is SupplyState.LOW:
        return DeviceStatus(DeviceState.READY, "paper near end", paper)
    return DeviceStatus(DeviceState.READY, "", paper)
