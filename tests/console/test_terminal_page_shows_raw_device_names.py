"""The console's terminal page showed device names raw (``idcard``) because the console kept a
table of its own with other keys. Now the terminal page, its alerts and events, and the fleet
page's problems column take the kiosk's one device label table (kiosk.core.device_labels).
Real parts: the console served by uvicorn on PostgreSQL/SQLite, a logged-in operator's pages."""

from __future__ import annotations

from kiosk.console import fleet
from kiosk.console.db import utcnow
from kiosk.console.device_names import device_label
from kiosk.console.models import Terminal
from kiosk.console.wire import EventIn, EventKind, HeartbeatIn
from kiosk.core.device_labels import DEVICE_LABELS
from tests.console.helpers import Console

RAW_NAMES = ("idcard", "smartcard", "receipt_printer", "document_printer")


def _report(console: Console) -> None:
    beat = HeartbeatIn.model_validate({"app_version": "0.1.0", "devices": {
        "idcard": {"state": "error", "supplies": "n/a", "reason": "no answer"},
        "smartcard": {"state": "ready", "supplies": "n/a"},
        "receipt_printer": {"state": "ready", "supplies": "ok"},
        "document_printer": {"state": "ready", "supplies": "ok"}}})
    now = utcnow()
    with console.sessions() as db:
        terminal = db.get(Terminal, "BJ-HD-0007")
        assert terminal is not None
        fleet.apply_heartbeat(db, terminal, beat, now)
        fleet.apply_events(db, terminal, [EventIn(kind=EventKind.DEVICE_FAULT, device="idcard")],
                           now)
        db.commit()


def test_terminal_and_fleet_pages_use_the_kiosk_labels(console: Console) -> None:
    console.enrol("BJ-HD-0007", district="海淀区", site="中关村街道便民服务中心")
    _report(console)
    console.add_user("op1", "operator")
    browser = console.login("op1")
    page = browser.get("/terminals/BJ-HD-0007")
    assert page.status_code == 200
    for label in ("身份证阅读器", "社保卡读卡器", "凭条打印机", "A4打印机"):
        assert f"<td>{label}</td>" in page.text, label
    for name in RAW_NAMES:
        assert f"<td>{name}</td>" not in page.text, name
    table = browser.get("/fleet/table")
    assert table.status_code == 200
    assert "设备故障（身份证阅读器）" in table.text
    assert "（idcard）" not in table.text


def test_one_label_per_device_and_unknown_names_shown_as_reported() -> None:
    assert [device_label(n) for n in DEVICE_LABELS] == list(DEVICE_LABELS.values())
    assert device_label("id_reader") == "身份证阅读器"  # an older report's name
    assert device_label("fax") == "fax" and device_label("") == ""
