"""Fault seen on site: the diagnostics zip left out the ID-card reader, because the privacy
filter took the key ``idcard`` (the reader's device name) for personal data. The reader's status
and connection must be in the bundle; numbers read from cards must still be dropped or masked."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from kiosk.core.privacy import Redactor
from kiosk.technician.diagnostics import export_bundle, scrub

ID_NUMBER = "11010519491231002X"
DEVICES = ("idcard", "smartcard", "camera", "scanner", "document_printer", "receipt_printer")


def test_every_device_including_the_id_card_reader_is_in_the_bundle(tmp_path: Path) -> None:
    statuses = {name: "ready" for name in DEVICES}
    config = {"devices": {name: f"serial:///dev/tty{name}" for name in DEVICES}}
    result = export_bundle(tmp_path / "usb", config=config, statuses=statuses,
                           log_dir=tmp_path / "no-log", terminal_id="T-1",
                           redactor=Redactor(), now=1_800_000_000)
    assert result.ok and result.path is not None, result.detail
    with zipfile.ZipFile(result.path) as bundle:
        devices = json.loads(bundle.read("devices.json"))
        exported = json.loads(bundle.read("config.json"))
    assert set(DEVICES) <= _keys(devices)
    assert exported["devices"]["idcard"] == "serial:///dev/ttyidcard"


def test_numbers_read_from_cards_are_still_dropped() -> None:
    record = {"idcard": "ready", "idcard_number": ID_NUMBER, "id_card_no": ID_NUMBER,
              "IDCARD_NUM": ID_NUMBER, "card_number": "D15600012", "id_number": ID_NUMBER,
              "detail": f"read {ID_NUMBER}"}
    cleaned = scrub(record, Redactor())
    assert cleaned == {"idcard": "ready", "detail": "read 110105********002X"}


def _keys(value: object) -> set[str]:
    """Every key at any depth."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()
