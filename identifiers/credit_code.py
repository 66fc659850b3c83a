"""Unified social credit codes (统一社会信用代码, GB 32100-2015).

18 characters; the 9-character organisation code inside carries its own GB 11714 check
character, and the last character is a MOD 31 check over the first 17.
"""

from __future__ import annotations

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
ORG_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def org_code_check(first8: str) -> str:
    """The GB 11714 check character of an 8-character organisation code body."""
    if len(first8) != 8:
        raise ValueError("need 8 characters")
    total = sum(ORG_CHARS.index(c) * w for c, w in zip(first8, ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def uscc_check(first17: str) -> str:
    """The GB 32100 check character of the first 17 characters of a credit code."""
    if len(first17) != 17 or any(c not in USCC_CHARS for c in first17):
        raise ValueError("need 17 characters from the credit-code alphabet")
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def make_uscc(authority: str, category: str, region: str, org_body: str) -> str:
    """Build a valid credit code from its parts (org_body: 8 digits; check characters added)."""
    org = org_body + org_code_check(org_body)
    first17 = authority + category + region + org
    return first17 + uscc_check(first17)


def uscc_valid(code: str) -> bool:
    """True for an 18-character credit code whose two check characters are right."""
    if len(code) != 18 or any(c not in USCC_CHARS for c in code):
        return False
    org = code[8:17]
    try:
        return org_code_check(org[:8]) == org[8] and uscc_check(code[:17]) == code[17]
    except ValueError:
        return False
