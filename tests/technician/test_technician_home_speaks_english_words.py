"""The technician home showed device states and checks in English words (``ready``,
``no_device``, ``outbox: 0 pending``) on a Chinese screen. Now they come through the gettext
catalogues: Chinese by default, English only in English mode. Real parts: a device hub of
simulators, the outbox journal on disk, the compiled catalogues."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.status import DeviceState, DeviceStatus, SupplyState
from kiosk.adapters.devices import DeviceHub
from kiosk.i18n import current_locale, set_locale
from kiosk.technician.status import log_dir_fact, outbox_fact, update_facts
from kiosk.technician.words import device_line, fact_line


@pytest.fixture
def locale() -> Iterator[None]:
    before = current_locale()
    yield
    set_locale(before)


@pytest.fixture
def hub() -> Iterator[DeviceHub]:
    hub = DeviceHub({"receipt_printer": "sim://receipt", "idcard": "none", "smartcard": "none",
                     "camera": "none", "scanner": "none", "document_printer": "none"},
                    call_soon=lambda fn: fn())
    hub.start(lambda _name, _event: None)
    yield hub
    hub.stop()


def _outbox(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    db = sqlite3.connect(data_dir / "outbox.sqlite3")
    db.execute("CREATE TABLE submissions (id INTEGER PRIMARY KEY, state TEXT)")
    db.executemany("INSERT INTO submissions (state) VALUES (?)",
                   [("pending",), ("delivered",), ("delivered",)])
    db.commit()
    db.close()


def test_device_lines_are_chinese_by_default(hub: DeviceHub, locale: None) -> None:
    set_locale("zh-CN")
    statuses, urls = hub.statuses(), hub.urls()
    printer = device_line("receipt_printer", statuses["receipt_printer"],
                          urls["receipt_printer"])
    reader = device_line("idcard", statuses["idcard"], urls.get("idcard"))
    assert printer.startswith("凭条打印机") and "就绪" in printer
    assert "sim://receipt" in printer
    assert reader.startswith("身份证阅读器") and "未配置" in reader
    for line in (printer, reader):
        for english in ("ready", "no_device", "unknown", "none", "disabled"):
            assert english not in line, line


def test_device_lines_are_english_in_english_mode(hub: DeviceHub, locale: None) -> None:
    set_locale("en")
    statuses = hub.statuses()
    assert device_line("idcard", statuses["idcard"], None).startswith("ID card")
    line = device_line("receipt_printer",
                       DeviceStatus(DeviceState.READY, supplies=SupplyState.LOW), "sim://r")
    assert "ready (supplies low)" in line
    assert "就绪" not in line


def test_check_lines_are_chinese_by_default(tmp_path: Path, locale: None) -> None:
    _outbox(tmp_path / "data")
    set_locale("zh-CN")
    outbox = fact_line(outbox_fact(tmp_path / "data"))
    logs = fact_line(log_dir_fact(tmp_path / "log"))
    assert outbox == "正常  外发队列: 待发 1，已送达 2，被拒 0"
    assert logs.startswith("正常  日志目录: ") and logs.endswith("可写")
    assert "outbox" not in outbox and "pending" not in outbox
    set_locale("en")
    assert fact_line(outbox_fact(tmp_path / "data")) == (
        "OK  outbox: 1 pending, 2 delivered, 0 refused")


def test_doctor_keeps_its_english_detail(tmp_path: Path) -> None:
    _outbox(tmp_path / "data")
    fact = outbox_fact(tmp_path / "data")
    assert (fact.name, fact.detail) == ("outbox", "1 pending, 2 delivered, 0 refused")


def test_update_lines_are_chinese_by_default(tmp_path: Path, locale: None) -> None:
    set_locale("zh-CN")
    lines = [fact_line(f) for f in update_facts(tmp_path)]
    assert lines == ["正常  服务包: 当前为内置目录", "正常  更新: 上次结果 无；上次检查 尚无"]
    set_locale("en")
    assert [fact_line(f) for f in update_facts(tmp_path)] == [
        "OK  flow bundle: active: built-in catalogue",
        "OK  updates: last outcome none; last check never"]
