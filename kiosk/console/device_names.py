"""What the console calls a terminal's devices: the kiosk's one label table.

Terminals report their devices by the kiosk's device names (``idcard``, ``receipt_printer``...);
the console shows the same Chinese labels residents and technicians see
(kiosk.core.device_labels), never a second table. Names from older reports and the console
bench map onto the kiosk's names; a name nobody knows is shown as reported.
"""

from __future__ import annotations

from kiosk.core.device_labels import DEVICE_LABELS
from kiosk.i18n import translate

#: The console's language.
CONSOLE_LOCALE = "zh-CN"
#: Device names of older heartbeats -> the kiosk's device names.
LEGACY_NAMES = {"printer": "receipt_printer", "id_reader": "idcard", "card_reader": "smartcard"}


def device_label(name: str | None) -> str:
    """A device's Chinese label (the reported name when unknown, "" for none)."""
    if not name:
        return ""
    known = LEGACY_NAMES.get(name, name)
    if known not in DEVICE_LABELS:
        return name
    return translate(DEVICE_LABELS[known], CONSOLE_LOCALE)
