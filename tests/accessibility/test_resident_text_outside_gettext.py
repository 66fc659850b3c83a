"""An English-mode resident must not meet Chinese the catalogues never saw: every Chinese literal
in the screens, the controller, printing, platform faults and the fault adapters is a msgid of a
translation call (or on the short, explained allow-list); drivers hold Chinese only as data; every
msgid the code uses exists in both catalogues; printer and platform faults read in English."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.interfaces import PrintResult
from drivers.status import DeviceState, DeviceStatus, SupplyState
from kiosk.adapters.devices import FACTORIES
from kiosk.core.device_labels import (
    DEVICE_LABELS,
    device_down_text,
    device_label,
    devices_down_text,
)
from kiosk.i18n import LANGUAGES, literals, tools, translate
from kiosk.platform.errors import DEFAULT_MESSAGES, ErrorKind, PlatformError
from kiosk.printing.journal import PrintKind
from kiosk.printing.messages import PrinterFault, message_for


def _has_cjk(text: str) -> bool:
    return bool(literals.CJK.search(text))


def test_no_chinese_literal_reaches_residents_outside_gettext() -> None:
    found = literals.untranslated_literals()
    assert not found, "\n".join(map(str, found))


def test_drivers_produce_no_resident_text() -> None:
    found = literals.driver_texts()
    assert not found, "\n".join(map(str, found))


def test_allow_list_stays_short_and_current() -> None:
    assert len(literals.ALLOWED) <= 8
    assert literals.stale_allowances() == []


def test_scan_covers_the_resident_text_sources() -> None:
    for source in ("kiosk/ui", "kiosk/core/controller.py", "kiosk/printing", "kiosk/platform"):
        assert source in literals.RESIDENT_TEXT_SOURCES
        assert (tools.REPO_ROOT / source).exists(), source


def _sample(tmp_path: Path, source: str) -> list[str]:
    (tmp_path / "kiosk" / "ui").mkdir(parents=True)
    (tmp_path / "kiosk" / "ui" / "sample.py").write_text(source, encoding="utf-8")
    return [lit.text for lit in literals.untranslated_literals(tmp_path)]


def test_scan_finds_a_bare_chinese_message(tmp_path: Path) -> None:
    found = _sample(tmp_path, '"""文档字符串不算。"""\n'
                              'from kiosk.i18n import _, N_, translate\n'
                              'a = _("返回")\nb = N_("全部")\nc = translate("首页", "en")\n'
                              'd = self._tr("上一页")\n'
                              'label.text = "打印机缺纸"\n'
                              'e = f"{x}暂时无法使用"\n'
                              'f = "Printer jammed"\n')
    assert found == ["打印机缺纸", "暂时无法使用"]


def test_check_command_reports_bare_chinese(tmp_path: Path) -> None:
    (tmp_path / "kiosk" / "printing").mkdir(parents=True)
    (tmp_path / "kiosk" / "printing" / "faults.py").write_text('TITLE = "打印机卡纸"\n',
                                                              encoding="utf-8")
    (tmp_path / "drivers" / "receipt").mkdir(parents=True)
    (tmp_path / "drivers" / "receipt" / "status.py").write_text('TEXT = "缺纸"\n',
                                                               encoding="utf-8")
    lines = tools.problems(tmp_path)
    assert any("kiosk/printing/faults.py:1" in line and "打印机卡纸" in line for line in lines)
    assert any("drivers/receipt/status.py:1" in line and "drivers return states" in line
               for line in lines)


@pytest.fixture(scope="module")
def code_msgids() -> dict[str, list[str]]:
    """Every msgid marked in kiosk/ (Babel's extraction over the whole package: seconds, so
    once for both languages)."""
    return tools.extracted_msgids()


@pytest.mark.parametrize("language", sorted(LANGUAGES.values()))
def test_every_msgid_in_the_code_is_in_both_catalogues(language: str,
                                                       code_msgids: dict[str, list[str]]) -> None:
    assert code_msgids  # the extraction saw the code
    catalog = tools.read_catalog(tools.po_path(language), language)
    missing = []
    for msgid in code_msgids:
        message = catalog.get(msgid)
        if message is None or not message.string:
            missing.append(msgid)
    assert not missing, f"{language}: {missing}"


def test_every_device_has_one_label_in_both_languages() -> None:
    assert set(DEVICE_LABELS) == set(FACTORIES)
    for name in DEVICE_LABELS:
        assert _has_cjk(device_label(name, "zh-CN"))
        english = device_label(name, "en")
        assert english.isascii() and english, name
    assert device_label("document_printer", "zh-CN") == "A4打印机"
    assert device_label("document_printer", "en") == "A4 printer"
    assert device_down_text("document_printer", "en") == \
        "The A4 printer is not available at the moment"
    assert devices_down_text(["receipt_printer", "document_printer"], "zh-CN") == \
        "凭条打印机、A4打印机暂不可用"
    assert devices_down_text(["receipt_printer", "document_printer"], "en") == \
        "Not available: receipt printer, A4 printer"


PRINT_CASES = [
    (PrintResult(False, "", "refused"), DeviceStatus(DeviceState.READY, "media-empty",
                                                     SupplyState.OUT)),
    (PrintResult(False, "3", "aborted", "Out of paper."),
     DeviceStatus(DeviceState.READY, "media-empty", SupplyState.OUT)),
    (PrintResult(False, "3", "aborted"), DeviceStatus(DeviceState.READY, "media-jam",
                                                      SupplyState.JAMMED)),
    (PrintResult(False, "", "refused"), DeviceStatus(DeviceState.READY, "cover open",
                                                     SupplyState.COVER_OPEN)),
    (PrintResult(False, "", "refused", "no answer"), DeviceStatus(DeviceState.OFFLINE, "x")),
    (PrintResult(False, "", "refused"), DeviceStatus(DeviceState.READY, "toner-empty",
                                                     SupplyState.OUT)),
    (PrintResult(False, "5", "timed_out"), DeviceStatus(DeviceState.BUSY)),
    (PrintResult(False, "5", "aborted", "Printer error."), DeviceStatus(DeviceState.READY)),
]


@pytest.mark.parametrize(("result", "status"), PRINT_CASES)
@pytest.mark.parametrize("kind", list(PrintKind))
def test_every_printer_fault_reads_in_english(result: PrintResult, status: DeviceStatus,
                                              kind: PrintKind) -> None:
    for code in ("K7M2Q9XH", ""):
        chinese = message_for(kind, result, status, code)
        english = chinese.in_locale("en")
        assert english.fault is chinese.fault
        assert _has_cjk(chinese.full_text())
        text = english.full_text()
        assert not _has_cjk(text), text
        assert code in text
        assert kind.value in text.lower()  # "certificate" / "receipt"
        assert message_for(kind, result, status, code, locale="en").full_text() == text
    assert {message_for(kind, r, s).fault for r, s in PRINT_CASES} == set(PrinterFault)


def test_platform_faults_read_in_english() -> None:
    for kind in ErrorKind:
        error = PlatformError(kind, status=503)
        assert error.resident_text("zh-CN") == DEFAULT_MESSAGES[kind]
        english = error.resident_text("en")
        assert english and not _has_cjk(english)
        assert english == translate(DEFAULT_MESSAGES[kind], "en")


def test_the_platforms_own_chinese_words_stay_out_of_english() -> None:
    refused = PlatformError(ErrorKind.REJECTED, "申请人年龄未满60周岁，不符合办理条件", status=422)
    assert refused.resident_text("zh-CN") == "申请人年龄未满60周岁，不符合办理条件"
    assert refused.resident_text("en") == translate(DEFAULT_MESSAGES[ErrorKind.REJECTED], "en")
    assert not _has_cjk(refused.resident_text("en"))
