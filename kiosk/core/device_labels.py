"""The one table of what residents call each device, in every language.

Keyed by the device names of the configuration and the device hub (``idcard``,
``receipt_printer``...; a `StrEnum` of those names drops in as keys unchanged). Every screen,
message and port that names a device to a resident takes the words from here, through the
gettext catalogues (kiosk.i18n): the A4 printer is "A4打印机" / "A4 printer" everywhere.
Technician pages show the same Chinese label (`DEVICE_LABELS`).
"""

from __future__ import annotations

from collections.abc import Iterable

from drivers.status import DeviceState, DeviceStatus
from kiosk.i18n import N_, join_list, translate

#: device name -> label msgid (Simplified Chinese), in the order screens list devices.
DEVICE_LABELS: dict[str, str] = {
    "idcard": N_("身份证阅读器"),
    "smartcard": N_("社保卡读卡器"),
    "camera": N_("摄像头"),
    "scanner": N_("扫码器"),
    "receipt_printer": N_("凭条打印机"),
    "document_printer": N_("A4打印机"),
}
#: A device the table does not know (a new driver before its label is added).
UNKNOWN_DEVICE = N_("设备")
#: One device out of use, as a sentence.
DEVICE_DOWN = N_("{device}暂时无法使用")
#: Several devices out of use, as a short reason (greyed-out tiles, out-of-service screen).
DEVICES_DOWN = N_("{devices}暂不可用")


def device_label(name: str, locale: str) -> str:
    """What residents call device ``name`` in ``locale``."""
    return translate(DEVICE_LABELS.get(str(name), UNKNOWN_DEVICE), locale)


def device_down_text(name: str, locale: str) -> str:
    """"<device> is not available at the moment" in ``locale``."""
    return translate(DEVICE_DOWN, locale, device=device_label(name, locale))


def devices_down_text(names: Iterable[str], locale: str) -> str:
    """"<devices> not available", the devices joined the way ``locale`` lists them."""
    labels = [device_label(name, locale) for name in names]
    return translate(DEVICES_DOWN, locale, devices=join_list(labels, locale))


#: The status of a device switched off in configuration.
DISABLED = DeviceStatus(DeviceState.NO_DEVICE, "disabled in configuration")
