"""The diagnostics bundle leaves the site on a USB stick: it must hold no personal data, even
when a name or an ID number reached the log file."""

from __future__ import annotations

import json
import logging
import zipfile
from pathlib import Path

from kiosk.boot.logs import LOG_FILE_NAME, JsonFormatter
from kiosk.core.events import log_event
from kiosk.core.privacy import REDACTOR, Redactor
from kiosk.technician.diagnostics import export_bundle, export_targets, scrub_line

NAME = "欧阳明珠"
ID_NUMBER = "11010519491231002X"
ADDRESS = "北京市东城区景山前街4号"
PHONE = "13812345678"


def _seed_log(log_dir: Path) -> None:
    """Log through the kiosk's formatter while a session has the resident's strings
    registered with the process redactor, then add lines that bypassed it."""
    log_dir.mkdir(parents=True)
    handler = logging.FileHandler(log_dir / LOG_FILE_NAME, encoding="utf-8")
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("test.diagnostics.seed")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        REDACTOR.register(NAME, ADDRESS)
        log_event(logger, "identity_mismatch", logging.ERROR, detail=f"{NAME} {ID_NUMBER}")
        log_event(logger, "print_failed", logging.WARNING, reason="paper out")
    finally:
        REDACTOR.clear()  # the session was wiped
        logger.removeHandler(handler)
        handler.close()
    # lines written by something that bypassed the redactor: fields and free text
    with (log_dir / LOG_FILE_NAME).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"level": "ERROR", "msg": "leak", "name": NAME,
                                 "address": ADDRESS, "id_number": ID_NUMBER,
                                 "resident_name": NAME, "phone": PHONE},
                                ensure_ascii=False) + "\n")
        handle.write(f"plain text line {ID_NUMBER} {PHONE}\n")
    (log_dir / f"{LOG_FILE_NAME}.1").write_text(
        json.dumps({"level": "WARNING", "msg": f"old {ID_NUMBER}"}) + "\n", encoding="utf-8")


def test_bundle_contains_no_personal_data(tmp_path: Path) -> None:
    redactor = Redactor()
    log_dir = tmp_path / "log"
    _seed_log(log_dir)
    config = {"terminal_id": "T-1", "site_name": "演示区政务服务中心",
              "platform": {"base_url": "https://user:pw@gov.example/api", "api_key": "s3cr3t"}}
    result = export_bundle(tmp_path / "usb", config=config,
                           statuses={"idcard": "ready", "receipt_printer": "error: paper out"},
                           log_dir=log_dir, outbox={"pending": 2}, terminal_id="T-1",
                           redactor=redactor, now=1_800_000_000)
    assert result.ok, result.detail
    assert result.path is not None and result.path.parent == tmp_path / "usb"
    with zipfile.ZipFile(result.path) as bundle:
        names = set(bundle.namelist())
        text = "\n".join(bundle.read(n).decode("utf-8") for n in names)
    assert {"config.json", "devices.json", "versions.json", "outbox.json",
            "recent_errors.jsonl", f"logs/{LOG_FILE_NAME}", f"logs/{LOG_FILE_NAME}.1"} <= names
    for secret in (NAME, ID_NUMBER, ADDRESS, PHONE, "s3cr3t", "user:pw"):
        assert secret not in text, secret
    assert "110105********002X" in text  # masked, still useful to a technician
    assert "paper out" in text and "演示区政务服务中心" in text
    errors = [json.loads(line) for line in
              zipfile.ZipFile(result.path).read("recent_errors.jsonl").decode().splitlines()
              if line.startswith("{")]
    assert any(e.get("msg") == "print_failed" for e in errors)
    assert not list((tmp_path / "usb").glob(".*part"))


def test_scrub_line_drops_personal_fields_and_masks_text() -> None:
    line = json.dumps({"msg": "x", "name": NAME, "holder_name": NAME, "site_name": "中心",
                       "detail": f"id {ID_NUMBER}"}, ensure_ascii=False)
    record = json.loads(scrub_line(line, Redactor()))
    assert record == {"msg": "x", "site_name": "中心", "detail": "id 110105********002X"}


def test_unwritable_target_is_a_reason_not_a_crash(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = export_bundle(blocker / "sub", config={}, statuses={}, log_dir=tmp_path / "none")
    assert not result.ok and "cannot write" in result.detail


def test_export_targets_list_usb_sticks_then_the_data_folder(tmp_path: Path) -> None:
    media = tmp_path / "media"
    (media / "kiosk" / "USBSTICK").mkdir(parents=True)
    targets = export_targets(tmp_path / "data", roots=[media])
    assert targets == [media / "kiosk" / "USBSTICK", tmp_path / "data" / "exports"]
