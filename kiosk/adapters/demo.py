"""The demo control panel's actions: drive the simulated devices from the kiosk itself.

Only in the demo profile (simulators are refused on site). Each action calls the simulator
handle of a `sim://` device; cards belong to the sandbox's synthetic residents.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.demo_cards import demo_id_card, demo_social_security_card
from kiosk.sandbox.seed import by_key

Action = tuple[str, Callable[[], None]]


def demo_actions(parts: Any) -> list[Action]:
    """Buttons for the demo panel; an action whose device is not simulated does nothing."""
    hub = parts.hub

    def on(device: str, method: str, *args: Any) -> Callable[[], None]:
        def run() -> None:
            simulator = hub.simulator(device)
            if simulator is not None:
                getattr(simulator, method)(*args)
        return run

    def toggle_face_check() -> None:
        face = getattr(parts.controller, "face", None)
        if face is not None:
            face.required = not face.required

    return [
        ("放置身份证（陈思远）", on("idcard", "insert", demo_id_card("worker"))),
        ("放置身份证（王桂芳，老人）", on("idcard", "insert", demo_id_card("elder"))),
        ("放置过期身份证", on("idcard", "insert", demo_id_card("worker", expired=True))),
        ("移走身份证", on("idcard", "remove")),
        ("插入社保卡（老人）", on("smartcard", "insert", demo_social_security_card("elder"))),
        ("拔出社保卡", on("smartcard", "remove")),
        ("出示个人码", on("scanner", "scan", by_key("mother").qr_code)),
        ("凭条打印机缺纸", on("receipt_printer", "set_paper", "out")),
        ("凭条打印机装纸", on("receipt_printer", "set_paper", "ok")),
        ("A4打印机缺纸", on("document_printer", "set_fault", "media-empty")),
        ("A4打印机装纸", on("document_printer", "load_paper")),
        ("高拍仪：放上材料", on("camera", "set_scene", "document")),
        ("摄像头：人脸", on("camera", "set_scene", "face")),
        ("摄像头：光线暗", on("camera", "set_scene", "dark")),
        ("拔出摄像头", on("camera", "unplug")),
        ("插回摄像头", on("camera", "replug")),
        ("放置身份证（孙美玲，人脸不符）", on("idcard", "insert", demo_id_card("face_mismatch"))),
        ("人证比对：开/关", toggle_face_check),
        ("拔出身份证阅读器", on("idcard", "unplug")),
        ("插回身份证阅读器", on("idcard", "replug")),
    ]
