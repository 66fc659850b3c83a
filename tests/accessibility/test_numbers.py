"""Numbers, dates, times and amounts become Chinese words before they are spoken; personal
numbers are never read out in full."""

from __future__ import annotations

import pytest

from kiosk.voice.numbers import (
    OMITTED_ZH,
    PersonalNumbers,
    amount_to_chinese,
    date_to_chinese,
    decimal_to_chinese,
    int_to_chinese,
    mask_personal_numbers,
    percent_to_chinese,
    read_digits,
    time_to_chinese,
    to_spoken,
    to_spoken_chinese,
)


@pytest.mark.parametrize(("value", "words"), [
    (0, "零"), (7, "七"), (10, "十"), (15, "十五"), (20, "二十"), (110, "一百一十"),
    (1005, "一千零五"), (1010, "一千零一十"), (1280, "一千二百八十"), (10000, "一万"),
    (10005, "一万零五"), (100500, "十万零五百"), (101000, "十万一千"), (1000000, "一百万"),
    (20010000, "二千零一万"), (100000000, "一亿"), (100010000, "一亿零一万"),
    (123456789, "一亿二千三百四十五万六千七百八十九"), (-3, "负三"),
])
def test_integers(value: int, words: str) -> None:
    assert int_to_chinese(value) == words


@pytest.mark.parametrize(("text", "words"), [
    ("1,280.50", "一千二百八十元五角"), ("1280.05", "一千二百八十元零五分"),
    ("1280", "一千二百八十元"), ("0.50", "五角"), ("0.05", "五分"), ("0", "零元"),
    ("12.34", "十二元三角四分"), ("-5", "负五元"),
])
def test_amounts(text: str, words: str) -> None:
    assert amount_to_chinese(text) == words


def test_dates_times_decimals_percent() -> None:
    assert date_to_chinese(2026, 11, 21) == "二〇二六年十一月二十一日"
    assert date_to_chinese(2000, 1) == "二〇〇〇年一月"
    assert time_to_chinese(14, 30) == "十四点三十分"
    assert time_to_chinese(9, 5) == "九点零五分"
    assert time_to_chinese(14, 0) == "十四点整"
    assert time_to_chinese(8, 0, 15) == "八点零分十五秒"
    assert decimal_to_chinese("3.14") == "三点一四"
    assert decimal_to_chinese("1,234") == "一千二百三十四"
    assert percent_to_chinese("12.5") == "百分之十二点五"


def test_digit_by_digit_with_x_as_cha() -> None:
    assert read_digits("11010519491231002X") == "一一零一零五一九四九一二三一零零二叉"
    assert read_digits("2026", zero="〇") == "二〇二六"


@pytest.mark.parametrize(("prompt", "spoken"), [
    ("办理日期2026-11-21，时间14:30", "办理日期二〇二六年十一月二十一日，时间十四点三十分"),
    ("2026年11月21日 09:05", "二〇二六年十一月二十一日 九点零五分"),
    ("2026/1/5", "二〇二六年一月五日"),
    ("预约 2026-11", "预约 二〇二六年十一月"),
    ("本次应缴1,280.50元", "本次应缴一千二百八十元五角"),
    ("¥35", "三十五元"),
    ("2025.10元", "二千零二十五元一角"),
    ("共 12 条记录", "共 十二 条记录"),
    ("第 1 页 / 共 3 页（25 条）", "第 一 页 / 共 三 页（二十五 条）"),
    ("增长12.5%", "增长百分之十二点五"),
    ("请拨打热线12345", "请拨打热线一二三四五"),
    ("电话 010-12345678", "电话 零一零，一二三四五六七八"),
    ("办件编号SB20261121-0042", "办件编号SB二零二六一一二一，零零四二"),
    ("2026-13-01", "二零二六，一三，零一"),
    ("没有数字", "没有数字"),
])
def test_prompts_in_words(prompt: str, spoken: str) -> None:
    assert to_spoken_chinese(prompt) == spoken


@pytest.mark.parametrize("prompt", [
    "您的证件号码是11010519491231002X", "身份证 110105********002X",
    "手机 13812345678", "手机 138****5678", "旧证 110105491231002",
])
def test_personal_numbers_are_not_read(prompt: str) -> None:
    spoken = to_spoken_chinese(prompt)
    assert OMITTED_ZH in spoken
    assert not any(ch.isdigit() for ch in spoken)
    assert "一一零一零五" not in spoken


def test_personal_numbers_last_four_when_the_site_prefers() -> None:
    assert to_spoken_chinese("证件号码11010519491231002X", PersonalNumbers.LAST_FOUR) == \
        "证件号码尾号零零二叉"
    assert to_spoken_chinese("手机13812345678", PersonalNumbers.LAST_FOUR) == "手机尾号五六七八"


def test_english_prompts_are_masked_and_dates_written_out() -> None:
    assert to_spoken("Phone 13812345678, 3 items", "en") == "Phone (not read aloud), 3 items"
    assert to_spoken("Come back on 2026-11-21 at 14:30", "en") == \
        "Come back on November 21, 2026 at 14:30"
    assert to_spoken("Paid in 2026/3", "en") == "Paid in March 2026"
    assert mask_personal_numbers("ID 11010519491231002X", PersonalNumbers.LAST_FOUR, "en") == \
        "ID ending in 0 0 2 X"
