"""Masking of identifiers and names wherever they are shown, logged or returned masked."""

from __future__ import annotations


def mask_id_number(id_number: str) -> str:
    """Mask an ID number: keep the region and the last four characters (110105********002X).

    Anything of ten characters or fewer is masked whole: too short to keep a part.
    """
    text = id_number.strip()
    if len(text) <= 10:
        return "*" * len(text)
    return text[:6] + "*" * (len(text) - 10) + text[-4:]


def mask_name(name: str) -> str:
    """Mask a name: keep the family name only (张**)."""
    return (name[:1] + "*" * (len(name) - 1)) if name else ""
