"""Classification of scanned codes (pure). Scanned text is untrusted input: it is checked for
length and characters, matched against closed formats, and never interpreted or executed.

Kinds (``CodeKind``):
- ``personal_code``: the sandbox city app's personal identity code (亮码), either the token
  ``SCID:1:<token>`` or the URL ``https://code.sandbox-city.example/p/<token>``; token is
  16-128 characters of base64url. It proves nothing by itself: the platform verifies it online.
- ``enterprise_code``: the QR code of an enterprise's electronic business licence (亮照)
  ``SCEL:1:<token>``; like the personal code it proves nothing by itself: the platform looks it
  up together with the legal representative's ID card.
- ``e_licence``: an electronic licence identifier (GB/T 36904-2018)
  ``1.2.156.3005.2.<type>.<issuer>.<serial>.<version>.<check>``, with its ISO/IEC 7064
  MOD 37,36 check character verified. A valid check only rules out misreads; the licence is
  fetched and verified online.
- ``case_number``: a sandbox case (办件) number ``SB`` + 8-digit date + 6-digit sequence.
- ``url``: any other http(s) URL (shown, never opened).
- ``unknown``: well-formed text matching none of the above.
- ``rejected``: empty, too long, or with characters a code may not carry (controls, format
  characters, private use); ``reason`` says which, and the text is dropped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from identifiers.elicence import ELICENCE_PREFIX, ELICENCE_RE, elicence_body, mod37_36_check

#: Longest code accepted, in characters (a QR code holds at most 7,089 digits; ours are short).
MAX_CODE_CHARS = 1024
#: Longest raw input accepted from a scanner before a terminator, in bytes.
MAX_CODE_BYTES = 4096

PERSONAL_CODE_PREFIX = "SCID:1:"
PERSONAL_CODE_URL_PREFIX = "https://code.sandbox-city.example/p/"
ENTERPRISE_CODE_PREFIX = "SCEL:1:"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,128}")
_CASE_NUMBER = re.compile(r"SB(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{6}")
E_LICENCE_ROOT = ELICENCE_PREFIX + "."
_BANNED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})


class CodeKind(StrEnum):
    """What a scanned code is (closed set)."""

    PERSONAL_CODE = "personal_code"
    ENTERPRISE_CODE = "enterprise_code"
    E_LICENCE = "e_licence"
    CASE_NUMBER = "case_number"
    URL = "url"
    UNKNOWN = "unknown"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class ELicenceId:
    """The parts of an e-licence identifier (check already verified)."""

    type_code: str  # issuing ministry's unified social credit code + 3-digit licence type
    issuer_code: str  # issuer's unified social credit code
    serial: str
    version: str
    check: str


@dataclass(frozen=True, slots=True)
class ScannedCode:
    """A classified code. ``text`` is the (untrusted) text; ``repr`` never shows it."""

    kind: CodeKind
    text: str = ""
    source: str = ""  # "serial", "keyboard", "camera"
    reason: str = ""  # why REJECTED (technician-facing)
    token: str = ""  # PERSONAL_CODE: the token to verify online
    licence: ELicenceId | None = None

    def __repr__(self) -> str:
        return (f"ScannedCode(kind={self.kind.value}, chars={len(self.text)}, "
                f"source={self.source!r}, reason={self.reason!r})")

    __str__ = __repr__


def _reject(reason: str, source: str) -> ScannedCode:
    return ScannedCode(CodeKind.REJECTED, "", source, reason)


def decode_scanned_bytes(raw: bytes) -> str | None:
    """Scanner bytes as text: UTF-8, else GB18030 (common on Chinese scanners); None if neither."""
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def classify(text: str | bytes, source: str = "") -> ScannedCode:
    """Check and classify one scanned code (already framed: no terminator)."""
    if isinstance(text, bytes):
        if len(text) > MAX_CODE_BYTES:
            return _reject("too long", source)
        decoded = decode_scanned_bytes(text)
        if decoded is None:
            return _reject("not valid UTF-8 or GB18030 text", source)
        text = decoded
    text = text.strip(" ")
    if not text:
        return _reject("empty", source)
    if len(text) > MAX_CODE_CHARS:
        return _reject("too long", source)
    for char in text:
        if unicodedata.category(char) in _BANNED_CATEGORIES:
            return _reject(f"forbidden character U+{ord(char):04X}", source)
    if text.startswith(PERSONAL_CODE_PREFIX) or text.startswith(PERSONAL_CODE_URL_PREFIX):
        prefix = (PERSONAL_CODE_PREFIX if text.startswith(PERSONAL_CODE_PREFIX)
                  else PERSONAL_CODE_URL_PREFIX)
        token = text[len(prefix):]
        if _TOKEN.fullmatch(token):
            return ScannedCode(CodeKind.PERSONAL_CODE, text, source, token=token)
        return _reject("malformed personal code", source)
    if text.startswith(ENTERPRISE_CODE_PREFIX):
        token = text[len(ENTERPRISE_CODE_PREFIX):]
        if _TOKEN.fullmatch(token):
            return ScannedCode(CodeKind.ENTERPRISE_CODE, text, source, token=token)
        return _reject("malformed enterprise code", source)
    if text.startswith(E_LICENCE_ROOT):
        match = ELICENCE_RE.fullmatch(text)
        if match is None:
            return _reject("malformed e-licence identifier", source)
        if mod37_36_check(elicence_body(match)) != match["check"]:
            return _reject("e-licence check character wrong", source)
        licence = ELicenceId(match["type"], match["issuer"], match["serial"], match["version"],
                             match["check"])
        return ScannedCode(CodeKind.E_LICENCE, text, source, licence=licence)
    if _CASE_NUMBER.fullmatch(text):
        return ScannedCode(CodeKind.CASE_NUMBER, text, source)
    if _is_url(text):
        return ScannedCode(CodeKind.URL, text, source)
    return ScannedCode(CodeKind.UNKNOWN, text, source)


def _is_url(text: str) -> bool:
    if " " in text:
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)
