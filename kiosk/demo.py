"""The demo control panel's actions: drive the simulated devices from the kiosk itself.

Only in the demo profile (simulators are refused on site). Each action calls the simulator
handle of a `sim://` device; a device without a simulator simply has no buttons.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Action = tuple[str, Callable[[], None]]


def demo_actions(parts: Any) -> list[Action]:
    """Buttons for the demo panel, from the simulators that are running."""
    hub = parts.hub
    actions: list[Action] = []

    def sim(name: str) -> Any:
        return hub.simulator(name)

    actions += [
        ("插入身份证（张）", lambda: sim("idcard").insert("resident")),
        ("插入过期身份证", lambda: sim("idcard").insert("expired")),
        ("移走身份证", lambda: sim("idcard").remove()),
        ("插入社保卡", lambda: sim("smartcard").insert("default")),
        ("拔出社保卡", lambda: sim("smartcard").remove()),
        ("出示个人码", lambda: sim("scanner").scan(parts.settings_demo_code())),
        ("凭条打印机缺纸", lambda: sim("receipt_printer").set_paper("out")),
        ("凭条打印机装纸", lambda: sim("receipt_printer").set_paper("ok")),
        ("A4打印机缺纸", lambda: sim("document_printer").set_fault("media-empty")),
        ("A4打印机装纸", lambda: sim("document_printer").load_paper()),
        ("拔出读卡器", lambda: sim("idcard").unplug()),
        ("插回读卡器", lambda: sim("idcard").replug()),
    ]
    return actions
