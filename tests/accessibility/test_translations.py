"""Every UI string exists in every language, none is empty, placeholders agree, the compiled
.mo files match their .po sources, and every string marked in the code is in the catalogue."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from babel.messages.mofile import write_mo

from kiosk import i18n
from kiosk.i18n import tools

LANGUAGES = sorted(i18n.LANGUAGES.values())


def _template_ids() -> list[str]:
    return [m.id for m in tools.read_catalog(tools.TEMPLATE) if m.id]


def test_catalogue_has_the_ui_strings() -> None:
    ids = set(_template_ids())
    for needed in ("返回", "首页", "您还在吗？", "长者模式", "静音", "中文", "English",
                   "请刷身份证或点击屏幕开始", "第 {step} 步 / 共 {steps} 步"):
        assert needed in ids
    assert len(ids) >= 70


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_key_translated_in_every_language(language: str) -> None:
    catalog = tools.read_catalog(tools.po_path(language), language)
    missing, empty, fuzzy, fields = [], [], [], []
    for msgid in _template_ids():
        message = catalog.get(msgid)
        if message is None:
            missing.append(msgid)
        elif not str(message.string).strip():
            empty.append(msgid)
        elif message.fuzzy:
            fuzzy.append(msgid)
        elif tools.fields(msgid) != tools.fields(str(message.string)):
            fields.append(msgid)
    assert not missing, f"{language}: missing {missing}"
    assert not empty, f"{language}: empty {empty}"
    assert not fuzzy, f"{language}: fuzzy {fuzzy}"
    assert not fields, f"{language}: placeholders differ {fields}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_stray_keys_outside_the_template(language: str) -> None:
    catalog = tools.read_catalog(tools.po_path(language), language)
    extra = {m.id for m in catalog if m.id} - set(_template_ids())
    assert not extra


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_mo_agrees_with_po(language: str) -> None:
    catalog = tools.read_catalog(tools.po_path(language), language)
    fresh = io.BytesIO()
    write_mo(fresh, catalog)
    committed = tools.mo_path(language).read_bytes()
    import gettext

    ours = gettext.GNUTranslations(io.BytesIO(committed))
    theirs = gettext.GNUTranslations(io.BytesIO(fresh.getvalue()))
    for msgid in _template_ids():
        assert ours.gettext(msgid) == theirs.gettext(msgid), msgid


def test_english_differs_from_chinese_for_sentences() -> None:
    same = [msgid for msgid in _template_ids()
            if i18n.translate(msgid, "en") == msgid and msgid not in ("中文", "English")]
    assert not same, f"untranslated into English: {same}"


def test_check_command_finds_no_problem() -> None:
    assert tools.problems() == []


def test_translate_fills_placeholders_in_both_languages() -> None:
    assert i18n.translate("第 {step} 步 / 共 {steps} 步", "zh-CN", step=2, steps=5) == \
        "第 2 步 / 共 5 步"
    assert i18n.translate("第 {step} 步 / 共 {steps} 步", "en", step=2, steps=5) == \
        "Step 2 of 5"
    assert i18n.translate("剩余 {minutes}:{seconds:02d}", "en", minutes=1, seconds=5) == \
        "Time left 1:05"


def test_current_locale_switch_and_reset() -> None:
    try:
        i18n.set_locale("en")
        assert i18n._("返回") == "Back"
        assert i18n.Translator("zh-CN")("返回") == "返回"
        i18n.set_locale("zh-CN")
        assert i18n._("返回") == "返回"
        with pytest.raises(ValueError):
            i18n.set_locale("fr")
    finally:
        i18n.set_locale(i18n.DEFAULT_LOCALE)


def test_unknown_msgid_falls_back_to_itself() -> None:
    assert i18n.translate("不存在的文字", "en") == "不存在的文字"


def test_dates_and_lists_per_language() -> None:
    day = dt.date(2026, 11, 21)
    assert i18n.format_long_date(day, "zh-CN") == "2026年11月21日星期六"
    assert i18n.format_long_date(day, "en") == "Saturday, November 21, 2026"
    assert i18n.join_list(["摄像头", "扫码器"], "zh-CN") == "摄像头、扫码器"
    assert i18n.join_list(["camera", "code scanner"], "en") == "camera, code scanner"


def test_extraction_sees_marked_strings(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "kiosk").mkdir()
    (tmp_path / "kiosk" / "sample.py").write_text(
        'from kiosk.i18n import _, N_, translate\n'
        'a = _("返回")\nb = N_("全部")\nc = translate("首页", "en")\nd = "未标记"\n',
        encoding="utf-8")
    found = tools.extracted_msgids(tmp_path)
    assert set(found) == {"返回", "全部", "首页"}


def test_extract_adds_new_strings_untranslated(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    locale_dir = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale_dir)
    (tmp_path / "kiosk").mkdir()
    (tmp_path / "kiosk" / "new_screen.py").write_text(
        'from kiosk.i18n import _\ntitle = _("新的提示")\nback = _("返回")\n', encoding="utf-8")
    assert tools.extract(tmp_path, locale_dir) == 1
    template = tools.read_catalog(locale_dir / tools.TEMPLATE.name)
    assert "新的提示" in template and "返回" in template
    for language in LANGUAGES:
        catalog = tools.read_catalog(tools.po_path(language, locale_dir), language)
        assert catalog.get("新的提示") is not None
        assert catalog.get("新的提示").string == ""  # a translator fills it; the check fails
        assert catalog.get("返回").string  # existing translations are kept
