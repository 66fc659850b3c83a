"""E-licence identifiers (电子证照标识, GB/T 36904-2018) and ISO/IEC 7064 MOD 37,36.

``1.2.156.3005.2.<type 21>.<issuer 18>.<serial>.<version 3>.<check>``: the type is the owning
ministry's credit code and a 3-digit type number; the check is MOD 37,36 over type + issuer +
serial + version without the dots. A right check only rules out misreads: a licence is always
fetched and verified online.
"""

from __future__ import annotations

import re

#: The MOD 37,36 alphabet: 0-9 are 0-9, A-Z are 10-35.
MOD36_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ELICENCE_PREFIX = "1.2.156.3005.2"
#: A whole e-licence identifier, with named parts (use ``fullmatch``).
ELICENCE_RE = re.compile(
    r"1\.2\.156\.3005\.2\."
    r"(?P<type>[0-9A-Z]{18}\d{3})\."
    r"(?P<issuer>[0-9A-Z]{18})\."
    r"(?P<serial>[0-9A-Z]{1,64})\."
    r"(?P<version>\d{3})\."
    r"(?P<check>[0-9A-Z])")


def mod37_36_check(data: str) -> str:
    """ISO/IEC 7064 MOD 37,36 check character for ``data`` (ValueError outside 0-9A-Z)."""
    modulus = 36
    product = modulus
    for char in data:
        value = MOD36_CHARS.index(char)
        total = (product + value) % modulus or modulus
        product = (total * 2) % (modulus + 1)
    return MOD36_CHARS[(modulus + 1 - product) % modulus]


def mod37_36_valid(data_with_check: str) -> bool:
    """True when the last character is the MOD 37,36 check of the rest."""
    if len(data_with_check) < 2 or any(c not in MOD36_CHARS for c in data_with_check):
        return False
    return mod37_36_check(data_with_check[:-1]) == data_with_check[-1]


def make_elicence_id(type_code: str, issuer: str, serial: str, version: str = "001") -> str:
    """Build an e-licence identifier with its check character."""
    check = mod37_36_check(type_code + issuer + serial + version)
    return f"{ELICENCE_PREFIX}.{type_code}.{issuer}.{serial}.{version}.{check}"


def elicence_body(match: re.Match[str]) -> str:
    """What the check character covers, from an `ELICENCE_RE` match."""
    return match["type"] + match["issuer"] + match["serial"] + match["version"]


def elicence_id_valid(licence_id: str) -> bool:
    """True when ``licence_id`` has the GB/T 36904 shape and a correct check character."""
    match = ELICENCE_RE.fullmatch(licence_id)
    return match is not None and mod37_36_check(elicence_body(match)) == match["check"]
