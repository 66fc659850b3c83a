"""Fixtures for the printing tests: a fixed signing key, sample documents, the simulated A4
printer (a real ippeveprinter on loopback), the simulated receipt printer, and a journal."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from drivers.docprinter import IppDocumentPrinter, open_document_printer
from drivers.interfaces import DeviceEvent
from drivers.receipt import EscposReceiptPrinter, open_receipt_printer
from flows.documents import CertificateDocument, DocumentTable
from kiosk.certificates.keys import CertificateSigner, publish_public_key
from kiosk.printing.journal import PrintJournal

GOLDEN_DIR = Path(__file__).resolve().parent.parent / "golden"
#: A fixed test key, so that signatures, QR codes and golden images are reproducible.
TEST_KEY_SEED = bytes(range(32))


@pytest.fixture
def signer() -> CertificateSigner:
    """The test signing key (Ed25519 signatures are deterministic)."""
    return CertificateSigner(Ed25519PrivateKey.from_private_bytes(TEST_KEY_SEED))


@pytest.fixture
def public_key_file(tmp_path: Path, signer: CertificateSigner) -> Path:
    """The test key's public half, published as a PEM file."""
    path = tmp_path / "public-key.pem"
    publish_public_key(signer.public_key, path)
    return path


def make_certificate(months: int = 12, serial: str = "SB2026112100017",
                     holder_id: str = "11010519491231002X") -> CertificateDocument:
    """A 社会保险参保缴费证明 with ``months`` table rows."""
    rows = tuple(
        (f"{2025 + (m - 1) // 12}{(m - 1) % 12 + 1:02d}", "城镇职工基本养老保险", "6,520.00",
         "1,043.20", "521.60", "已缴")
        for m in range(1, months + 1))
    return CertificateDocument(
        kind="social_insurance_payment", title="社会保险参保缴费证明", serial=serial,
        holder_name="张三", holder_id_number=holder_id,
        issuer="北京市朝阳区社会保险事业管理中心", issue_date=date(2026, 11, 21),
        fields=(("参保单位", "北京市某某科技有限公司"), ("参保状态", "正常参保"),
                ("查询期间", "2025年1月至2025年12月")),
        table=DocumentTable(
            ("费款所属期", "险种", "缴费基数", "单位缴纳", "个人缴纳", "状态"), rows),
        notes=("本证明仅证明参保人在上述期间的缴费情况。", "本证明可通过扫描二维码核验真伪。"),
        seal_text="北京市朝阳区社会保险事业管理中心")


@pytest.fixture
def certificate() -> CertificateDocument:
    """The sample certificate (one page)."""
    return make_certificate()


@pytest.fixture
def events() -> list[DeviceEvent]:
    """Collects device events."""
    return []


@pytest.fixture
def docprinter(events: list[DeviceEvent]) -> Iterator[IppDocumentPrinter]:
    """The IPP driver pointed at a fresh ippeveprinter (sim://docprinter)."""
    printer = open_document_printer("sim://docprinter", stall_grace_seconds=1.0,
                                    job_timeout_seconds=10.0, job_poll_interval_seconds=0.05,
                                    status_interval_seconds=30.0)
    printer.start(events.append)
    try:
        yield printer
    finally:
        printer.stop()


@pytest.fixture
def receipt_printer(events: list[DeviceEvent]) -> Iterator[EscposReceiptPrinter]:
    """The ESC/POS driver connected to the loopback simulator (sim://receipt)."""
    printer = open_receipt_printer("sim://receipt", status_timeout_seconds=0.3,
                                   status_interval_seconds=30.0)
    printer.start(events.append)
    try:
        yield printer
    finally:
        printer.stop()


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[PrintJournal]:
    """A fresh print journal."""
    j = PrintJournal(tmp_path / "journal.sqlite3")
    try:
        yield j
    finally:
        j.close()


def render_png(pdf_path: Path, out_prefix: Path, dpi: int = 50) -> list[Path]:
    """Render a PDF to greyscale PNGs with pdftoppm."""
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf_path), str(out_prefix)],
                   check=True, capture_output=True)
    return sorted(out_prefix.parent.glob(out_prefix.name + "*.png"))


def pdf_text(pdf_path: Path) -> str:
    """The text of a PDF (pdftotext)."""
    return subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], check=True,
                          capture_output=True).stdout.decode("utf-8")


def assert_matches_golden(png: Path, golden_name: str, *, max_mean_diff: float = 0.5,
                          max_changed_fraction: float = 0.001) -> None:
    """Compare a rendered page to tests/golden/<name> with a tolerance.

    Set KIOSK_UPDATE_GOLDEN=1 to (re)write the golden image from this run.
    """
    import os

    import cv2

    golden = GOLDEN_DIR / golden_name
    if os.environ.get("KIOSK_UPDATE_GOLDEN") == "1" or not golden.exists():
        if os.environ.get("KIOSK_UPDATE_GOLDEN") != "1":
            pytest.fail(f"golden image {golden} missing; run with KIOSK_UPDATE_GOLDEN=1")
        golden.write_bytes(png.read_bytes())
    actual = cv2.imread(str(png), cv2.IMREAD_GRAYSCALE)
    expected = cv2.imread(str(golden), cv2.IMREAD_GRAYSCALE)
    assert actual is not None and expected is not None
    assert actual.shape == expected.shape, f"page size {actual.shape} != golden {expected.shape}"
    diff = np.abs(actual.astype(np.int16) - expected.astype(np.int16))
    mean = float(diff.mean())
    changed = float((diff > 64).mean())
    assert mean <= max_mean_diff and changed <= max_changed_fraction, (
        f"{png.name} differs from {golden_name}: mean {mean:.2f}, changed {changed:.4f}")
