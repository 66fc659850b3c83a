"""法人 identification over real HTTP (mutual TLS sandbox): the credit code's check character, an
unknown or malformed business licence QR code, and a card that is not the legal
representative's are refused with plain Chinese; the representative gets a token that reads the
enterprise's tax and social-insurance records and holds its licences; a reissued licence copy
keeps its serial and usage line."""

from __future__ import annotations

import pytest

from drivers.scanner.payloads import CodeKind, classify
from kiosk.platform import PlatformClient
from kiosk.platform.errors import PlatformError
from kiosk.sandbox.enterprises import licence_code
from kiosk.sandbox.records import business_credit_code
from tests.platform.conftest import seed

DIRECTOR = seed("company_director")
CODE = business_credit_code(DIRECTOR)


def test_wrong_check_character_is_422_with_plain_words(client: PlatformClient) -> None:
    wrong = CODE[:-1] + ("0" if CODE[-1] != "0" else "1")
    with pytest.raises(PlatformError) as caught:
        client.verify_enterprise(id_number=DIRECTOR.id_number, credit_code=wrong)
    assert caught.value.code == "invalid_credit_code"
    assert "校验位" in caught.value.resident_text("zh-CN")


def test_unknown_licence_code_is_404(client: PlatformClient) -> None:
    with pytest.raises(PlatformError) as caught:
        client.verify_enterprise(id_number=DIRECTOR.id_number,
                                 licence_code="SCEL:1:AAAAAAAAAAAAAAAAAAAAAAAA")
    assert "营业执照" in caught.value.resident_text("zh-CN")


def test_another_persons_card_is_not_the_representative(client: PlatformClient) -> None:
    worker = seed("worker")
    result = client.verify_enterprise(id_number=worker.id_number, name=worker.name,
                                      credit_code=CODE)
    assert not result.verified and not result.resident_token
    assert "法定代表人" in result.reason


def test_representative_reads_enterprise_records_and_licences(client: PlatformClient) -> None:
    result = client.verify_enterprise(id_number=DIRECTOR.id_number, name=DIRECTOR.name,
                                      licence_code=licence_code(DIRECTOR))
    assert result.verified and result.enterprise_name == "演示区星河科技有限公司"
    assert result.credit_code == CODE
    tax = client.records(result.resident_token, "enterprise-tax", size=20)
    assert tax.total >= 12 and {i["tax"] for i in tax.items} == {"增值税", "企业所得税"}
    insured = client.records(result.resident_token, "enterprise-social-insurance")
    assert insured.total == 12
    held = client.licence_holdings(result.resident_token, "scj-business")
    assert len(held) == 1
    copy = client.licence_copy(result.resident_token, held[0].licence_id, "工商登记")
    again = client.reissue_certificate(copy.certificate.serial, result.resident_token)
    assert again.serial == copy.certificate.serial and "用途：工商登记" in again.usage
    listed = client.issued_certificates(result.resident_token)
    assert copy.certificate.serial in {c.serial for c in listed}


def test_the_business_licence_code_is_its_own_closed_format() -> None:
    assert classify(licence_code(DIRECTOR)).kind is CodeKind.ENTERPRISE_CODE
    assert classify("SCEL:1:<script>").kind is CodeKind.REJECTED
    assert "SCEL" not in repr(classify(licence_code(DIRECTOR)))
