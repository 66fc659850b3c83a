"""证明补打 on the platform: the resident's certificates of the last 30 days, newest first; a
reissue answers the stored body unchanged (additions included), only to its holder, however
often it is asked; additions are checked."""

from __future__ import annotations

import pytest
import requests

from flows.documents import CertificateAdditions
from kiosk.platform import ErrorKind, PlatformClient, PlatformError
from kiosk.sandbox import SandboxHandle
from tests.platform.conftest import TERMINAL_ID, login, raw_tls

ADDITIONS = CertificateAdditions("住房公积金缴存证明", (("证明用途", "购房贷款"),),
                                 ("本证明可通过扫描二维码验证真伪。",))


def test_list_newest_first_with_the_printed_title(client: PlatformClient, conforms) -> None:
    token = login(client, "spouse_of_owner")
    first = client.issue_certificate("tax-payment", token)
    second = client.issue_certificate("provident-fund-deposit", token, additions=ADDITIONS)
    listed = client.issued_certificates(token)
    assert [c.serial for c in listed] == [second.serial, first.serial]
    assert listed[0].title == "住房公积金缴存证明" and listed[0].kind == "provident-fund-deposit"
    assert client.issued_certificates(login(client, "worker")) == ()


def test_reissue_returns_the_same_body_every_time(client: PlatformClient,
                                                  sandbox: SandboxHandle, conforms) -> None:
    token = login(client, "spouse_of_owner")
    issued = client.issue_certificate("provident-fund-deposit", token, additions=ADDITIONS)
    assert issued.additions == ADDITIONS
    again = client.reissue_certificate(issued.serial, token)
    twice = client.reissue_certificate(issued.serial, login(client, "spouse_of_owner"))
    for copy in (again, twice):
        assert copy.serial == issued.serial and copy.additions == ADDITIONS
        assert copy.to_document() == issued.to_document()
    answer = requests.post(f"{sandbox.url}/v1/certificates/{issued.serial}/reissue", timeout=5,
                           json={"resident_token": token, "terminal_id": TERMINAL_ID},
                           **raw_tls(sandbox))
    assert answer.status_code == 200
    conforms("Certificate", answer.json())


def test_reissue_to_someone_else_or_unknown_is_not_found(client: PlatformClient) -> None:
    issued = client.issue_certificate("tax-payment", login(client, "business_owner"))
    for serial, key in ((issued.serial, "spouse_of_owner"), ("ZM20990101000001FFFF", "worker")):
        with pytest.raises(PlatformError) as refused:
            client.reissue_certificate(serial, login(client, key))
        assert refused.value.kind is ErrorKind.NOT_FOUND and refused.value.status == 404
        assert refused.value.message == "未查询到您名下的该证明，请核对证明编号"


def test_bad_additions_are_refused(client: PlatformClient) -> None:
    token = login(client, "worker")
    too_long = CertificateAdditions("题" * 201)
    with pytest.raises(PlatformError) as refused:
        client.issue_certificate("social-insurance-payment", token, additions=too_long)
    assert refused.value.kind is ErrorKind.INVALID
