"""The technician's words for device states and terminal checks, through the gettext catalogues.

Drivers and `kiosk doctor` speak English (``ready``, ``no_device``, ``outbox: 3 pending``); the
technician screen shows the same facts in the UI's language: Chinese by default, English only in
English mode. Device names come from the one label table (kiosk.core.device_labels).
"""

from __future__ import annotations

from drivers.status import DeviceState, DeviceStatus, SupplyState
from kiosk.core.device_labels import DEVICE_LABELS, UNKNOWN_DEVICE
from kiosk.i18n import N_, _
from kiosk.technician.status import Fact

#: Device state -> msgid.
STATE_WORDS: dict[DeviceState, str] = {
    DeviceState.READY: N_("就绪"),
    DeviceState.BUSY: N_("忙碌"),
    DeviceState.NO_DEVICE: N_("未连接设备"),
    DeviceState.OFFLINE: N_("离线"),
    DeviceState.ERROR: N_("故障"),
}
#: Consumables state -> msgid (OK is not shown).
SUPPLY_WORDS: dict[SupplyState, str] = {
    SupplyState.LOW: N_("耗材不足"),
    SupplyState.OUT: N_("耗材用尽"),
    SupplyState.JAMMED: N_("卡纸"),
    SupplyState.COVER_OPEN: N_("机盖打开"),
    SupplyState.UNKNOWN: N_("耗材状态未知"),
}
#: Reasons our own code gives in English -> msgid (a driver's other reasons are shown as is).
REASON_WORDS: dict[str, str] = {
    "not connected": N_("未连接"),
    "disabled in configuration": N_("已在配置中停用"),
}
#: Check (fact) name -> msgid.
FACT_NAMES: dict[str, str] = {
    "terminal": N_("终端"),
    "platform": N_("政务平台"),
    "outbox": N_("外发队列"),
    "bundle": N_("服务包"),
    "updates": N_("更新"),
    "log_dir": N_("日志目录"),
}
#: Values of a check that are words themselves (update outcome, poll result, profile) -> msgid.
VALUE_WORDS: dict[str, dict[str, str]] = {
    "outcome": {"none": N_("无"), "staged": N_("已暂存"), "activated": N_("已启用"),
                "rolled_back": N_("已回退"), "rejected": N_("已拒绝")},
    "check": {"never": N_("尚无"), "ok": N_("正常"), "rejected": N_("已拒绝"),
              "unreachable": N_("无法连接"), "error": N_("出错")},
    "profile": {"demo": N_("演示"), "site": N_("现场")},
}
OK_WORD = N_("正常")
FAULT_WORD = N_("异常")
UNKNOWN_STATUS = N_("状态未知")
NO_URL = N_("未配置")


def status_text(status: DeviceStatus | None) -> str:
    """A device status in the UI's language, e.g. 就绪（耗材不足）：未连接."""
    if status is None:
        return _(UNKNOWN_STATUS)
    text = _(STATE_WORDS.get(status.state, UNKNOWN_STATUS))
    if status.supplies is not None and status.supplies in SUPPLY_WORDS:
        text += f" ({_(SUPPLY_WORDS[status.supplies])})"
    if status.reason:
        reason = REASON_WORDS.get(status.reason)
        text += f": {_(reason) if reason else status.reason}"
    return text


def device_line(name: str, status: DeviceStatus | None, url: str | None) -> str:
    """The device list's line: label, status, connection URL."""
    label = _(DEVICE_LABELS.get(name, UNKNOWN_DEVICE))
    return f"{label}    {status_text(status)}    {url if url and url != 'none' else _(NO_URL)}"


def fact_line(fact: Fact) -> str:
    """A check line in the UI's language: 正常  外发队列: 待发 0，已送达 2，被拒 0."""
    name = FACT_NAMES.get(fact.name)
    values = {key: _(VALUE_WORDS[key][str(value)])
              if key in VALUE_WORDS and str(value) in VALUE_WORDS[key] else value
              for key, value in fact.values}
    detail = _(fact.words, **values) if fact.words else fact.detail
    return f"{_(OK_WORD if fact.ok else FAULT_WORD)}  {_(name) if name else fact.name}: {detail}"
