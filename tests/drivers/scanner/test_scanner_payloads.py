"""Payload classification: each kind recognised; personal data never in repr; scanned text is
treated as data (a URL is classified, not opened; markup stays text)."""

from __future__ import annotations

import pytest

from drivers.scanner.payloads import (
    PERSONAL_CODE_PREFIX,
    PERSONAL_CODE_URL_PREFIX,
    CodeKind,
    classify,
)

TOKEN = "q1w2e3r4t5y6u7i8o9p0-_AZ"


@pytest.mark.parametrize(("text", "kind"), [
    (PERSONAL_CODE_PREFIX + TOKEN, CodeKind.PERSONAL_CODE),
    (PERSONAL_CODE_URL_PREFIX + TOKEN, CodeKind.PERSONAL_CODE),
    ("SB20261121000123", CodeKind.CASE_NUMBER),
    ("https://zwfw.example.gov.cn/item?id=1", CodeKind.URL),
    ("http://10.0.0.1/", CodeKind.URL),
    ("6901234567892", CodeKind.UNKNOWN),  # a product barcode
    ("javascript:alert(1)", CodeKind.UNKNOWN),
    ("<script>alert(1)</script>", CodeKind.UNKNOWN),
    ("身份证", CodeKind.UNKNOWN),
    ("SB20261321000123", CodeKind.UNKNOWN),  # month 13: not a case number
])
def test_kinds(text: str, kind: CodeKind) -> None:
    code = classify(text, source="serial")
    assert code.kind is kind
    assert code.source == "serial"


def test_personal_code_token() -> None:
    code = classify(PERSONAL_CODE_URL_PREFIX + TOKEN)
    assert code.token == TOKEN


@pytest.mark.parametrize("text", [
    PERSONAL_CODE_PREFIX + "short",
    PERSONAL_CODE_PREFIX + TOKEN + "/../admin",
    PERSONAL_CODE_URL_PREFIX + TOKEN + "?next=http://evil",
    PERSONAL_CODE_PREFIX + "x" * 129,
])
def test_malformed_personal_codes_rejected(text: str) -> None:
    code = classify(text)
    assert code.kind is CodeKind.REJECTED and code.text == ""


def test_repr_never_shows_the_text() -> None:
    code = classify(PERSONAL_CODE_PREFIX + TOKEN)
    assert TOKEN not in repr(code) and TOKEN not in str(code)
    assert "personal_code" in repr(code)


def test_bytes_in_utf8_and_gb18030() -> None:
    assert classify("扫码亮证".encode()).text == "扫码亮证"
    assert classify("扫码亮证".encode("gb18030")).text == "扫码亮证"
