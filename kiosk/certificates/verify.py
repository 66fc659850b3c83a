"""`kiosk verify-certificate FILE [--public-key K]`: is this printed certificate genuine?

Accepts the PDF (pages rendered with pdftoppm) or a photo/scan (PNG/JPEG). Finds the QR code
with OpenCV, checks its Ed25519 signature against the published public key, and prints what it
certifies; for a PDF it also checks that the page shows the serial and holder the code names.
Exit 0 genuine, 1 not genuine, 2 the input or key could not be read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from identifiers.masking import mask_id_number
from kiosk.certificates.keys import load_public_keys, public_key_path
from kiosk.certificates.payload import VerifyOutcome, VerifyStatus, verify_payload
from kiosk.certificates.qrscan import ScanError, decode_qr, load_image, pdf_pages, pdf_text
from kiosk.core.privacy import ID_NUMBER_RE

WHY = {
    VerifyStatus.NOT_A_CERTIFICATE_CODE: "二维码不是本系统出具的证明核验码",
    VerifyStatus.MALFORMED: "核验码内容不完整或被改动",
    VerifyStatus.UNKNOWN_KEY: "核验码的签发密钥不在公布的公钥中",
    VerifyStatus.BAD_SIGNATURE: "签名不符：证明内容或核验码被改动",
}


def _default_public_key() -> Path:
    from kiosk.boot.settings import ConfigError, load_settings

    try:
        return public_key_path(load_settings().data_dir)
    except ConfigError:
        from kiosk import REPO_ROOT

        return public_key_path(REPO_ROOT / "var")


def _print_claim(outcome: VerifyOutcome) -> None:
    claim = outcome.claim
    assert claim is not None
    print("证明真实有效 (genuine)")
    print(f"  证明编号: {claim.serial}")
    print(f"  证明类型: {claim.kind}")
    print(f"  出具日期: {claim.issue_date.isoformat()}")
    print(f"  持证人证件号: {claim.masked_holder_id}")
    print(f"  内容摘要 (SHA-256): {claim.digest_hex}")
    print(f"  签发密钥: {claim.key_id}")


def _page_mismatch(outcome: VerifyOutcome, text: str) -> str:
    """For a PDF: does the page show what the code certifies?"""
    claim = outcome.claim
    if claim is None or not text:
        return ""
    if claim.serial not in text:
        return f"页面上没有核验码所载的证明编号 {claim.serial}：二维码来自另一份证明"
    printed = {mask_id_number("".join(m.groups())) for m in ID_NUMBER_RE.finditer(text)}
    if printed and claim.masked_holder_id not in printed:
        return "页面上的证件号与核验码不符：证明内容被改动"
    return ""


def main(argv: list[str]) -> int:
    """Verify one file; see the module docstring for exit codes."""
    parser = argparse.ArgumentParser(prog="kiosk verify-certificate",
                                     description="check a printed certificate's QR code")
    parser.add_argument("file", type=Path, help="the certificate: PDF, PNG or JPEG")
    parser.add_argument("--public-key", type=Path, default=None,
                        help="published public key(s), PEM (default: the terminal's)")
    args = parser.parse_args(argv)
    key_path = args.public_key or _default_public_key()
    try:
        keys = load_public_keys(key_path)
    except (OSError, ValueError) as exc:
        print(f"kiosk verify-certificate: cannot read public key {key_path}: {exc}",
              file=sys.stderr)
        return 2
    if not keys:
        print(f"kiosk verify-certificate: no Ed25519 public key in {key_path}", file=sys.stderr)
        return 2
    path: Path = args.file
    try:
        is_pdf = path.read_bytes()[:5] == b"%PDF-"
        images = pdf_pages(path) if is_pdf else [load_image(path)]
    except (OSError, ScanError) as exc:
        print(f"kiosk verify-certificate: {exc}", file=sys.stderr)
        return 2
    texts: list[str] = []
    for image in reversed(images):  # the code is on the last page
        texts = decode_qr(image)
        if texts:
            break
    if not texts:
        print("不是有效的证明：没有找到可识别的核验二维码 (no QR code found)")
        return 1
    outcomes = [verify_payload(text, keys) for text in texts]
    genuine = [o for o in outcomes if o.genuine]
    if not genuine:
        print(f"不是有效的证明：{WHY[outcomes[0].status]} ({outcomes[0].status.value})")
        return 1
    outcome = genuine[0]
    if is_pdf:
        mismatch = _page_mismatch(outcome, pdf_text(path))
        if mismatch:
            print(f"不是有效的证明：{mismatch}")
            return 1
    _print_claim(outcome)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
