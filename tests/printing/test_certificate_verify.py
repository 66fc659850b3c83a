"""`kiosk verify-certificate` on a genuine PDF, a photo of it, and tampered certificates."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import cv2
import numpy as np
import pytest
import qrcode
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from reportlab.pdfgen.canvas import Canvas

from kiosk.certificates import verify
from kiosk.certificates.keys import CertificateSigner
from kiosk.certificates.render import render_certificate
from tests.printing.conftest import make_certificate, render_png


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = verify.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _photo(page: np.ndarray) -> np.ndarray:
    """A phone photo of the page: perspective, a darker background, blur, noise, JPEG."""
    h, w = page.shape[:2]
    canvas = np.full((int(h * 1.2), int(w * 1.2), 3), 90, np.uint8)
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    off_x, off_y = w * 0.1, h * 0.1
    dst = np.float32([[off_x + 25, off_y + 10], [off_x + w - 15, off_y + 30],
                      [off_x + w - 5, off_y + h - 20], [off_x + 10, off_y + h]])
    warp = cv2.getPerspectiveTransform(src, dst)
    photo = cv2.warpPerspective(page, warp, (canvas.shape[1], canvas.shape[0]), dst=canvas,
                                borderMode=cv2.BORDER_TRANSPARENT)
    photo = cv2.GaussianBlur(photo, (3, 3), 0.8)
    noise = np.random.default_rng(7).normal(0, 4, photo.shape)
    photo = np.clip(photo.astype(np.float32) * 0.92 + noise, 0, 255).astype(np.uint8)
    ok, jpeg = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, 80])
    assert ok
    return cv2.imdecode(jpeg, cv2.IMREAD_COLOR)


def test_genuine_pdf(tmp_path: Path, capsys, certificate, signer, public_key_file) -> None:
    pdf = tmp_path / "cert.pdf"
    pdf.write_bytes(render_certificate(certificate, signer).pdf)
    code, out = _run(capsys, str(pdf), "--public-key", str(public_key_file))
    assert code == 0, out
    assert "证明真实有效" in out
    assert "SB2026112100017" in out and "110105********002X" in out
    assert "social_insurance_payment" in out and "2026-11-21" in out
    assert "11010519491231002X" not in out and "张三" not in out


def test_genuine_photo_jpeg(tmp_path: Path, capsys, certificate, signer, public_key_file) -> None:
    pdf = tmp_path / "cert.pdf"
    pdf.write_bytes(render_certificate(certificate, signer).pdf)
    (png,) = render_png(pdf, tmp_path / "page", dpi=150)
    photo = tmp_path / "photo.jpg"
    cv2.imwrite(str(photo), _photo(cv2.imread(str(png), cv2.IMREAD_COLOR)))
    code, out = _run(capsys, str(photo), "--public-key", str(public_key_file))
    assert code == 0, out
    assert "SB2026112100017" in out


def test_rendered_png(tmp_path: Path, capsys, certificate, signer, public_key_file) -> None:
    pdf = tmp_path / "cert.pdf"
    pdf.write_bytes(render_certificate(certificate, signer).pdf)
    (png,) = render_png(pdf, tmp_path / "page", dpi=100)
    code, out = _run(capsys, str(png), "--public-key", str(public_key_file))
    assert code == 0, out


def _qr_png(payload: str, path: Path) -> None:
    image = qrcode.make(payload, border=4, box_size=6)
    image.save(str(path))


def test_tampered_code_is_not_genuine(tmp_path: Path, capsys, certificate, signer,
                                      public_key_file) -> None:
    genuine = render_certificate(certificate, signer).payload
    # Flip one character of the signed part (a forger editing the serial or the holder id).
    index = len("ZWC1:") + 40
    forged = genuine[:index] + ("A" if genuine[index] != "A" else "B") + genuine[index + 1:]
    path = tmp_path / "forged.png"
    _qr_png(forged, path)
    code, out = _run(capsys, str(path), "--public-key", str(public_key_file))
    assert code == 1
    assert "不是有效的证明" in out


def test_certificate_signed_by_another_key(tmp_path: Path, capsys, certificate,
                                           public_key_file) -> None:
    rogue = CertificateSigner(Ed25519PrivateKey.from_private_bytes(b"\x07" * 32))
    pdf = tmp_path / "rogue.pdf"
    pdf.write_bytes(render_certificate(certificate, rogue).pdf)
    code, out = _run(capsys, str(pdf), "--public-key", str(public_key_file))
    assert code == 1
    assert "unknown_key" in out


def test_edited_pdf_with_a_transplanted_code(tmp_path: Path, capsys, signer,
                                             public_key_file) -> None:
    """A genuine QR code pasted onto a page for another holder: the page cross-check fails."""
    genuine = render_certificate(make_certificate(), signer).payload
    other = dataclasses.replace(make_certificate(), holder_id_number="110105198001010018")
    buffer = io.BytesIO()
    page = Canvas(buffer)
    from kiosk.certificates.fonts import register_font

    font = register_font()
    page.setFont(font, 12)
    page.drawString(72, 760, f"社会保险参保缴费证明 {other.serial}")
    page.drawString(72, 740, f"公民身份号码：{other.holder_id_number}")
    qr = tmp_path / "qr.png"
    _qr_png(genuine, qr)
    page.drawImage(str(qr), 72, 400, 200, 200)
    page.save()
    pdf = tmp_path / "edited.pdf"
    pdf.write_bytes(buffer.getvalue())
    code, out = _run(capsys, str(pdf), "--public-key", str(public_key_file))
    assert code == 1
    assert "证件号与核验码不符" in out


def test_page_without_a_code(tmp_path: Path, capsys, public_key_file) -> None:
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((400, 300, 3), 255, np.uint8))
    code, out = _run(capsys, str(blank), "--public-key", str(public_key_file))
    assert code == 1 and "没有找到" in out


def test_unreadable_input_exits_2(tmp_path: Path, capsys, public_key_file) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not an image")
    code, out = _run(capsys, str(junk), "--public-key", str(public_key_file))
    assert code == 2 and "not a PDF" in out
    code, out = _run(capsys, str(junk), "--public-key", str(tmp_path / "missing.pem"))
    assert code == 2 and "public key" in out
