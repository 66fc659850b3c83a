"""The shared identifier rules: a mask never shows more than region and last four, and the
GB 11643 check character catches every single-digit typo and refuses what is not a number."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from flows.expressions import is_id_number, mask
from identifiers.masking import mask_id_number, mask_name
from identifiers.resident_id import id_check_character, id_number_valid
from kiosk.core.privacy import mask_text

DIGITS17 = st.text(alphabet="0123456789", min_size=17, max_size=17)


def test_an_id_number_keeps_its_region_and_last_four() -> None:
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number("  11010519491231002X \n") == "110105********002X"


def test_short_values_are_masked_whole() -> None:
    assert mask_id_number("") == ""
    assert mask_id_number("1234567890") == "**********"
    assert mask_name("张三丰") == "张**" and mask_name("") == ""


@given(st.text(min_size=11, max_size=40).filter(lambda s: len(s.strip()) > 10))
def test_the_middle_never_shows(text: str) -> None:
    masked = mask_id_number(text)
    core = text.strip()
    assert len(masked) == len(core)
    assert masked[6:-4] == "*" * (len(core) - 10)


def test_every_layer_masks_the_same_way() -> None:
    number = "11010519491231002X"
    assert mask(number) == mask_id_number(number)  # what a flow prints
    assert mask_text(f"身份证 {number} 已读取") == f"身份证 {mask_id_number(number)} 已读取"


@given(DIGITS17, st.integers(0, 16), st.integers(1, 9))
def test_a_single_digit_typo_is_caught(first17: str, position: int, shift: int) -> None:
    number = first17 + id_check_character(first17)
    assert id_number_valid(number) and is_id_number(number)
    typo = str((int(number[position]) + shift) % 10)
    changed = number[:position] + typo + number[position + 1:]
    assert not id_number_valid(changed)


def test_what_is_not_an_id_number_is_refused_not_raised() -> None:
    for value in (None, 11010519491231002, "", "11010519491231002", "1101051949123100２X",
                  "abcdefghijklmnopqr", "11010519491231002XX"):
        assert not id_number_valid(value)
        assert not is_id_number(value)
    assert id_number_valid("11010519491231002x")  # a lower-case x is still an X
