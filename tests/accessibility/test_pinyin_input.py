"""Pinyin input against the real Pinyin2Hanzi dictionary: splitting, candidates, paging,
committing piece by piece."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk.input.pinyin import Lexicon, PinyinInput, candidates, split_syllables


def _texts(composition: str, lexicon: Any, first: int = 5) -> list[str]:
    return [c.text for c in candidates(composition, lexicon)[:first]]


@pytest.mark.parametrize(("typed", "word", "within"), [
    ("beijing", "北京", 1), ("shanghai", "上海", 1), ("zhangsan", "张三", 1),
    ("zhang", "张", 3), ("xi'an", "西安", 1), ("xian", "西安", 3), ("xuesheng", "学生", 1),
    ("lvshi", "律师", 1), ("shenfenzheng", "身份证", 1), ("wangxiaoming", "王小明", 2),
    ("shebaoka", "社保卡", 1), ("beij", "北京", 1), ("woyaobanlishebaoka", "我要办理社保卡", 1),
])
def test_expected_word_among_the_first(typed: str, word: str, within: int,
                                       lexicon: Any) -> None:
    assert word in _texts(typed, lexicon, within), _texts(typed, lexicon, 10)


def test_splitting(lexicon: Any) -> None:
    assert split_syllables("zhangsan", lexicon)[0].syllables == ("zhang", "san")
    assert split_syllables("zhangsan", lexicon)[0].partial is False
    assert split_syllables("xi'an", lexicon)[0].syllables == ("xi", "an")
    assert {s.syllables for s in split_syllables("xian", lexicon)} >= {("xian",), ("xi", "an")}
    beij = split_syllables("beij", lexicon)[0]
    assert beij.syllables == ("bei", "j") and beij.partial
    assert split_syllables("jue", lexicon)[0].syllables == ("jue",)  # typed ue, stored ve
    assert split_syllables("ng", lexicon) == []


def test_simplified_characters_come_first(lexicon: Any) -> None:
    single = _texts("a", lexicon, 3)
    for word in single:
        word.encode("gb2312")


def test_commit_piece_by_piece(lexicon: Any) -> None:
    field = PinyinInput(lexicon, page_size=5)
    for letter in "zhangsan":
        assert field.type(letter)
    assert field.display == "zhang'san"
    words = [c.text for c in field.page_candidates]
    # commit just the surname first, then the rest
    assert field.choose(words.index("张")) == "张"
    assert field.value == "张" and field.composition == "san"
    assert field.choose(0) == "三"
    assert field.value == "张三" and field.composition == "" and field.candidates == []


def test_paging(lexicon: Any) -> None:
    field = PinyinInput(lexicon, page_size=4)
    for letter in "shi":
        field.type(letter)
    first = [c.text for c in field.page_candidates]
    assert len(first) == 4 and field.pages > 2
    assert not field.previous_page()
    assert field.next_page()
    second = [c.text for c in field.page_candidates]
    assert second and not set(first) & set(second)
    assert field.previous_page() and [c.text for c in field.page_candidates] == first
    while field.next_page():
        pass
    assert field.page == field.pages - 1 and not field.next_page()


def test_backspace_separator_clear_and_limits(lexicon: Any) -> None:
    field = PinyinInput(lexicon, page_size=5, value="李", max_length=2)
    assert not field.type("'")  # nothing to separate yet
    assert not field.type("1") and not field.type("中")
    field.type("m")
    field.backspace()
    assert field.composition == "" and field.value == "李"
    field.backspace()  # no letters: removes committed text
    assert field.value == ""
    for letter in "beijing":
        field.type(letter)
    assert field.choose(0) == "北京"
    for letter in "ren":
        field.type(letter)
    assert field.choose(0) is None  # the field is full
    field.clear()
    assert field.value == "" and field.composition == ""


def test_unknown_letters_give_no_candidates(lexicon: Any) -> None:
    field = PinyinInput(lexicon)
    for letter in "vvv":
        field.type(letter)
    assert field.candidates == [] and field.pages == 0 and field.choose(0) is None


def test_engine_with_a_tiny_lexicon() -> None:
    lexicon = Lexicon({"ni": "你:130000|泥:110000", "hao": "好:150000|号:120000"},
                      {"ni,hao": "你好:400000"})
    assert [c.text for c in candidates("nihao", lexicon)] == ["你好", "你", "泥"]
    assert [c.text for c in candidates("nih", lexicon)] == ["你好", "你", "泥"]
    assert candidates("nihao", lexicon)[1].consumed == 2


def test_name_fields_offer_family_names_first(lexicon: Any) -> None:
    from kiosk.input.pinyin import COMMON_SURNAMES

    plain = [c.text for c in candidates("zhang", lexicon)[:3]]
    assert plain[0] != "张"
    named = PinyinInput(lexicon, page_size=5, names=True)
    for letter in "zhang":
        named.type(letter)
    assert named.page_candidates[0].text == "张"
    named.choose(0)
    for letter in "wei":  # the given name: no family-name preference any more
        named.type(letter)
    assert [c.text for c in named.candidates] == [c.text for c in candidates("wei", lexicon)]
    # whole words stay where they were
    both = candidates("zhangsan", lexicon, COMMON_SURNAMES)
    assert both[0].text == "张三" and both[1].text == "张"
