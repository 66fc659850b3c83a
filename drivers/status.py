"""The common device status model: a closed set of states, matched exhaustively.

Drawn from CEN/XFS device and supply states. Drivers publish only changes (old -> new).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DeviceState(StrEnum):
    """What a device can do right now."""

    READY = "ready"
    BUSY = "busy"
    NO_DEVICE = "no_device"  # nothing at the configured connection
    OFFLINE = "offline"  # present but not answering / not usable (e.g. printer offline)
    ERROR = "error"  # present and answering, but failed; see DeviceStatus.reason


class SupplyState(StrEnum):
    """Consumables of a printer (paper, toner); UNKNOWN is a real state (no sensor)."""

    OK = "ok"
    LOW = "low"
    OUT = "out"
    JAMMED = "jammed"
    COVER_OPEN = "cover_open"
    UNKNOWN = "unknown"


#: States in which a device can serve a resident.
USABLE_STATES = frozenset({DeviceState.READY, DeviceState.BUSY})


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    """A device's state, a technician-facing reason, and its supplies (printers only)."""

    state: DeviceState
    reason: str = ""
    supplies: SupplyState | None = None

    @property
    def usable(self) -> bool:
        """True when the device can serve a resident now."""
        if self.state not in USABLE_STATES:
            return False
        return self.supplies not in (SupplyState.OUT, SupplyState.JAMMED, SupplyState.COVER_OPEN)

    def describe(self) -> str:
        """One line for logs and `kiosk doctor`, e.g. ``ready (paper low)``."""
        text = self.state.value
        if self.supplies is not None and self.supplies is not SupplyState.OK:
            text += f" (supplies {self.supplies.value})"
        if self.reason:
            text += f": {self.reason}"
        return text


READY = DeviceStatus(DeviceState.READY)
NO_DEVICE = DeviceStatus(DeviceState.NO_DEVICE, "not connected")
