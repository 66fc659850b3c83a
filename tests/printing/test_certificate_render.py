"""The certificate renderer: A4, embedded CJK subset, Chinese text, paging, golden image."""

from __future__ import annotations

import subprocess
from pathlib import Path

from kiosk.certificates.keys import CertificateSigner
from kiosk.certificates.payload import verify_payload
from kiosk.certificates.render import render_certificate
from tests.printing.conftest import assert_matches_golden, make_certificate, pdf_text, render_png


def test_renders_a4_with_the_cjk_font_embedded_as_a_subset(tmp_path: Path, certificate,
                                                            signer: CertificateSigner) -> None:
    rendered = render_certificate(certificate, signer, specimen=True)
    pdf = tmp_path / "cert.pdf"
    pdf.write_bytes(rendered.pdf)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True).stdout.decode()
    assert "595.276 x 841.89 pts (A4)" in info
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True).stdout.decode()
    font_lines = fonts.splitlines()[2:]
    assert len(font_lines) == 1, fonts  # only the bundled face, no unembedded base-14 font
    name, *_, emb, sub, uni, _obj, _gen = font_lines[0].split()
    assert "WenQuanYiMicroHei" in name and "+" in name
    assert (emb, sub, uni) == ("yes", "yes", "yes")
    assert len(rendered.pdf) < 120_000  # a subset, not the 5 MB font


def test_printed_text_is_chinese_and_complete(tmp_path: Path, certificate, signer) -> None:
    pdf = tmp_path / "cert.pdf"
    pdf.write_bytes(render_certificate(certificate, signer).pdf)
    text = pdf_text(pdf)
    flat = text.replace(" ", "")
    for expected in ("社会保险参保缴费证明", "姓名：张三", "11010519491231002X",
                     "北京市某某科技有限公司", "城镇职工基本养老保险", "202512",
                     "北京市朝阳区社会保险事业管理中心", "2026年11月21日",
                     "SB2026112100017", "第1页共1页", "样", "本证明可通过扫描二维码核验真伪"):
        assert expected.replace(" ", "") in flat, expected


def test_same_document_renders_to_the_same_bytes(certificate, signer) -> None:
    first = render_certificate(certificate, signer)
    second = render_certificate(certificate, signer)
    assert first.pdf == second.pdf
    assert first.payload == second.payload


def test_payload_is_signed_and_carries_no_name_or_full_id(certificate, signer) -> None:
    rendered = render_certificate(certificate, signer)
    outcome = verify_payload(rendered.payload, [signer.public_key])
    assert outcome.genuine and outcome.claim is not None
    assert outcome.claim.serial == "SB2026112100017"
    assert outcome.claim.masked_holder_id == "110105********002X"
    assert outcome.claim.digest_hex == rendered.digest
    assert "张三" not in rendered.payload and "11010519491231002X" not in rendered.payload


def test_long_table_continues_on_the_next_page_with_its_header(tmp_path: Path, signer) -> None:
    doc = make_certificate(months=40)
    rendered = render_certificate(doc, signer)
    assert rendered.pages == 2
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(rendered.pdf)
    pages = pdf_text(pdf).split("\f")
    assert "社会保险参保缴费证明（续）" in pages[1]
    assert "费款所属期" in pages[0] and "费款所属期" in pages[1]  # header repeated
    assert "第2页共2页" in pages[1].replace(" ", "")
    # every row printed exactly once across the pages
    all_text = "\n".join(pages)
    for m in range(1, 41):
        period = f"{2025 + (m - 1) // 12}{(m - 1) % 12 + 1:02d}"
        assert all_text.count(period) >= 1, period
    # the closing block (issuer, seal, QR) is on the last page only
    assert "扫码核验" not in pages[0] and "扫码核验" in pages[1]


def test_page_matches_the_golden_image(tmp_path: Path, certificate, signer) -> None:
    pdf = tmp_path / "cert.pdf"
    pdf.write_bytes(render_certificate(certificate, signer, specimen=True).pdf)
    (png,) = render_png(pdf, tmp_path / "page")
    assert_matches_golden(png, "certificate_social_insurance.png")


def test_site_profile_seal_has_no_specimen_mark(tmp_path: Path, certificate, signer) -> None:
    pdf = tmp_path / "cert.pdf"
    pdf.write_bytes(render_certificate(certificate, signer, specimen=False).pdf)
    text = pdf_text(pdf)
    assert "样章" not in text and "演示打印" not in text
    assert "证明专用章" in text
