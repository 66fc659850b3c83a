"""What residents call each device, and the status of a device switched off in configuration.

Pure data: the labels are gettext keys (`N_`), translated where they are shown.
"""

from __future__ import annotations

from drivers.status import DeviceState, DeviceStatus
from kiosk.i18n import N_

#: Resident-facing names, for greyed-out services and the out-of-service screen.
DEVICE_LABELS: dict[str, str] = {
    "idcard": N_("身份证阅读器"), "smartcard": N_("社保卡读卡器"), "camera": N_("摄像头"),
    "scanner": N_("扫码器"), "receipt_printer": N_("凭条打印机"),
    "document_printer": N_("A4打印机"),
}
DISABLED = DeviceStatus(DeviceState.NO_DEVICE, "disabled in configuration")
