"""The demo control panel's actions: drive the simulated devices from the kiosk itself.

Only in the demo profile (simulators are refused on site). Each action calls the simulator
handle of a `sim://` device; cards belong to the sandbox's synthetic residents.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flows.ports import DeviceName as D
from kiosk.adapters.demo_cards import demo_id_card, demo_social_security_card
from kiosk.sandbox.seed import by_key

Action = tuple[str, Callable[[], None]]


def demo_actions(parts: Any) -> list[Action]:
    """Buttons for the demo panel; an action whose device is not simulated does nothing."""
    hub = parts.hub

    def on(device: str, method: str, *args: Any) -> Callable[[], None]:
        """A button that calls ``method`` on the simulator of ``device``."""
        def run() -> None:
            simulator = hub.simulator(device)
            if simulator is not None:
                getattr(simulator, method)(*args)
        return run

    def printer(device: str, *calls: tuple[str, tuple[Any, ...]]) -> Callable[[], None]:
        """Call the simulator, then let the driver read the printer's status at once (as its
        next poll would), so the screens know: 打印 greyed on an empty tray, offered again."""
        def run() -> None:
            simulator = hub.simulator(device)
            if simulator is None:
                return
            for method, args in calls:
                getattr(simulator, method)(*args)
            driver = hub.get(device)
            refresh = getattr(driver, "refresh_status", None)
            if callable(refresh):
                threading.Thread(target=refresh, name=f"demo-{device}-status",
                                 daemon=True).start()
        return run

    def toggle_face_check() -> None:
        face = getattr(parts.controller, "face", None)
        if face is not None:
            face.required = not face.required

    return [
        ("放置身份证（陈思远）", on(D.IDCARD, "insert", demo_id_card("worker"))),
        ("放置身份证（王桂芳，老人）", on(D.IDCARD, "insert", demo_id_card("elder"))),
        ("放置过期身份证", on(D.IDCARD, "insert", demo_id_card("worker", expired=True))),
        ("移走身份证", on(D.IDCARD, "remove")),
        ("插入社保卡（老人）", on(D.SMARTCARD, "insert", demo_social_security_card("elder"))),
        ("拔出社保卡", on(D.SMARTCARD, "remove")),
        ("出示个人码", on(D.SCANNER, "scan", by_key("mother").qr_code)),
        ("凭条打印机缺纸", on(D.RECEIPT_PRINTER, "set_paper", "out")),
        ("凭条打印机装纸", on(D.RECEIPT_PRINTER, "set_paper", "ok")),
        # 缺纸: the tray is empty now (the printer says so; nothing is half printed).
        # 打印中途缺纸: paper runs out during the next job. 装纸 ends both.
        ("A4打印机缺纸", printer(D.DOCUMENT_PRINTER, ("empty_tray", ()))),
        ("A4打印机打印中途缺纸", printer(D.DOCUMENT_PRINTER, ("set_fault", ("media-empty",)))),
        ("A4打印机装纸", printer(D.DOCUMENT_PRINTER, ("set_fault", ("complete",)),
                                ("load_paper", ()))),
        ("高拍仪：放上材料", on(D.CAMERA, "set_scene", "document")),
        ("摄像头：人脸", on(D.CAMERA, "set_scene", "face")),
        ("摄像头：光线暗", on(D.CAMERA, "set_scene", "dark")),
        ("拔出摄像头", on(D.CAMERA, "unplug")),
        ("插回摄像头", on(D.CAMERA, "replug")),
        ("放置身份证（孙美玲，人脸不符）", on(D.IDCARD, "insert", demo_id_card("face_mismatch"))),
        ("人证比对：开/关", toggle_face_check),
        ("拔出身份证阅读器", on(D.IDCARD, "unplug")),
        ("插回身份证阅读器", on(D.IDCARD, "replug")),
    ]
