"""Resident ID numbers (公民身份号码, GB 11643-1999): the check character."""

from __future__ import annotations

#: Weights of the first 17 digits (2^(18-i) mod 11).
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
#: The check character for each weighted sum modulo 11.
ID_CHECK_CHARS = "10X98765432"


def id_check_character(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of an ID number."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise ValueError("need exactly 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def id_number_valid(id_number: object) -> bool:
    """True for an 18-character ID number with a correct check character (GB 11643)."""
    if not isinstance(id_number, str) or len(id_number) != 18:
        return False
    if not (id_number[:17].isascii() and id_number[:17].isdigit()):
        return False
    return id_check_character(id_number[:17]) == id_number[17].upper()
