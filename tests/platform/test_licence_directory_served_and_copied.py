"""The sandbox platform's licence directory over real HTTP: served, equal to the bundle's
snapshot, held by synthetic residents, copied with the usage line; refused kinds, strangers'
licences and free-text purposes are refused with plain messages. The copy renders to an A4 PDF
carrying the watermark, the department's seal text and a signed QR code."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from flows.documents import CertificateAdditions
from flows.fill import compose_certificate
from flows.ports import IssuedCertificate, Resident
from kiosk.certificates.keys import CertificateSigner
from kiosk.certificates.payload import verify_payload
from kiosk.certificates.render import render_certificate
from kiosk.platform import PlatformClient
from kiosk.platform.errors import PlatformError
from tests.platform.conftest import login, seed

SNAPSHOT = Path(__file__).resolve().parents[2] / "flows" / "catalogue" / "licence-directory.json"


def test_directory_has_60_kinds_from_15_departments_and_matches_the_bundle(
    client: PlatformClient,
) -> None:
    kinds = client.licence_kinds()
    assert len(kinds) >= 60
    assert len({k.department for k in kinds}) >= 15
    assert {k.holder_type for k in kinds} == {"person", "enterprise"}
    snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))["kinds"]
    assert [k["code"] for k in snapshot] == [k.code for k in kinds]
    assert [tuple(k["fields"]) for k in snapshot] == [k.fields for k in kinds]


def test_holdings_of_a_resident_and_a_copy_with_purpose_and_validity(
    client: PlatformClient,
) -> None:
    token = login(client, "worker")
    held = client.licence_holdings(token)
    assert len(held) >= 10
    marriage = client.licence_holdings(token, "mzj-marriage")
    assert [h.kind for h in marriage] == ["mzj-marriage"]
    copy = client.licence_copy(token, marriage[0].licence_id, "租房", idempotency_key="k-1")
    assert copy.usage.startswith("此件仅供办理政务服务事项时使用")
    assert "用途：租房" in copy.usage and "有效期至" in copy.usage
    assert copy.certificate.title == "结婚证（打印件）"  # the kind's layout
    labels = [f[0] for f in copy.certificate.fields]
    assert labels[:3] == ["持证主体", "持证人", "配偶姓名"]  # in the layout's order
    again = client.licence_copy(token, marriage[0].licence_id, "租房", idempotency_key="k-1")
    assert again.certificate.serial == copy.certificate.serial


def test_enterprise_licences_are_held_by_the_legal_representative(
    client: PlatformClient,
) -> None:
    token = login(client, "business_owner")
    (licence,) = client.licence_holdings(token, "scj-business")
    assert licence.holder == seed("business_owner").business.name  # type: ignore[union-attr]
    assert not client.licence_holdings(login(client, "graduate"), "scj-business")


def test_refusals_are_plain(client: PlatformClient) -> None:
    token = login(client, "worker")
    stranger = client.licence_holdings(login(client, "mother"))[0]
    with pytest.raises(PlatformError) as exc:
        client.licence_copy(token, stranger.licence_id + "9", "租房")
    assert exc.value.status == 404
    mine = client.licence_holdings(token)[0]
    with pytest.raises(PlatformError) as exc:
        client.licence_copy(token, mine.licence_id, "<script>")
    assert exc.value.status == 422
    unreleased = {k.code for k in client.licence_kinds() if not k.released}
    refused = [(key, h) for key in ("worker", "record_holder", "mother", "elder", "divorced")
               for h in client.licence_holdings(login(client, key)) if h.kind in unreleased]
    assert refused, "some seeded resident holds a kind released only at the window"
    key, holding = refused[0]
    with pytest.raises(PlatformError) as exc:
        client.licence_copy(login(client, key), holding.licence_id, "就业")
    assert exc.value.status == 403
    assert "窗口" in exc.value.resident_text("zh-CN")


def test_the_copy_renders_with_watermark_seal_and_signed_qr(
    client: PlatformClient, tmp_path: Path,
) -> None:
    token = login(client, "worker")
    holding = client.licence_holdings(token, "mzj-marriage")[0]
    copy = client.licence_copy(token, holding.licence_id, "办理政务服务事项")
    c = copy.certificate
    issued = IssuedCertificate(c.serial, c.kind, c.title, c.issuer, c.issue_date,
                               tuple(c.fields), None, tuple(c.notes), usage=copy.usage)
    resident = seed("worker")
    document = compose_certificate(issued, CertificateAdditions(),
                                   Resident(resident.name, resident.id_number))
    signer = CertificateSigner(Ed25519PrivateKey.from_private_bytes(b"\x05" * 32))
    rendered = render_certificate(document, signer, specimen=False)
    assert verify_payload(rendered.payload, [signer.public_key]).genuine
    pdf = tmp_path / "copy.pdf"
    pdf.write_bytes(rendered.pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "此件仅供办理政务服务事项时使用" in text
    assert "用途：办理政务服务事项" in text
    assert "演示区民政局" in text  # beside the seal, and around it
    assert c.serial in text
