"""Check characters of the identifiers the platform hands out (pure code, no I/O).

- Unified social credit codes (统一社会信用代码, GB 32100-2015): 18 characters, the 9-character
  organisation code inside carries its own GB 11714 check character, the last one MOD 31.
- E-licence identifiers (电子证照标识, GB/T 36904-2018):
  ``1.2.156.3005.2.<type 21>.<issuer 18>.<serial>.<version 3>.<check>`` where the check is
  ISO/IEC 7064 MOD 37,36 over type + issuer + serial + version without the dots.
"""

from __future__ import annotations

import re

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
MOD36_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ELICENCE_PREFIX = "1.2.156.3005.2"
ELICENCE_RE = re.compile(
    r"^1\.2\.156\.3005\.2\.([0-9A-Z]{21})\.([0-9A-Z]{18})\.([0-9A-Z]+)\.(\d{3})\.([0-9A-Z])$"
)


def org_code_check(first8: str) -> str:
    """The GB 11714 check character of an 8-character organisation code body."""
    if len(first8) != 8:
        raise ValueError("need 8 characters")
    total = sum(MOD36_CHARS.index(c) * w for c, w in zip(first8, ORG_WEIGHTS, strict=True))
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


def mod37_36_check(text: str) -> str:
    """ISO/IEC 7064 MOD 37,36 (hybrid) check character over 0-9A-Z."""
    product = 36
    for char in text:
        total = (product + MOD36_CHARS.index(char)) % 36 or 36
        product = (total * 2) % 37
    return MOD36_CHARS[(1 - product) % 36]


def make_elicence_id(type_code: str, issuer: str, serial: str, version: str = "001") -> str:
    """Build a GB/T 36904 e-licence identifier with its check character."""
    body = type_code + issuer + serial + version
    return f"{ELICENCE_PREFIX}.{type_code}.{issuer}.{serial}.{version}.{mod37_36_check(body)}"


def elicence_id_valid(licence_id: str) -> bool:
    """True when ``licence_id`` has the GB/T 36904 shape and a correct check character."""
    match = ELICENCE_RE.match(licence_id)
    if not match:
        return False
    type_code, issuer, serial, version, check = match.groups()
    return mod37_36_check(type_code + issuer + serial + version) == check
