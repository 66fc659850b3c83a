"""A multi-page document session: capture, retake, remove, and the size limits (pages per
session, bytes per page, bytes per PDF) hold; the PDF has one page per photographed page."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from drivers.camera import synth
from drivers.camera.document import (
    DocumentLimits,
    DocumentSession,
    PageStatus,
    compress_jpeg,
    pages_to_pdf,
)


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def test_three_pages_to_pdf(tmp_path: Path) -> None:
    session = DocumentSession()
    for i in range(3):
        result = session.capture(synth.scene_frame("document", index=i))
        assert result.status is PageStatus.CAPTURED
        assert result.index == i
        assert result.page is not None and result.page.jpeg[:2] == b"\xff\xd8"
    out = session.to_pdf()
    assert out.ok
    assert out.pdf.startswith(b"%PDF") and _pdf_pages(out.pdf) == 3
    if shutil.which("pdfinfo"):
        (tmp_path / "doc.pdf").write_bytes(out.pdf)
        info = subprocess.run(["pdfinfo", str(tmp_path / "doc.pdf")], capture_output=True,
                              text=True, check=True).stdout
        assert re.search(r"Pages:\s+3", info)


def test_no_page_then_whole_frame() -> None:
    session = DocumentSession()
    frame = synth.scene_frame("no_face")
    assert session.capture(frame).status is PageStatus.NO_PAGE
    assert not session.pages
    result = session.capture(frame, whole_frame=True)
    assert result.status is PageStatus.CAPTURED and result.page is not None
    assert result.page.quad is None and result.page.size == (640, 480)


def test_retake_and_remove() -> None:
    session = DocumentSession()
    session.capture(synth.scene_frame("document"))
    session.capture(synth.scene_frame("document", index=1))
    first = session.pages[0]
    retaken = session.retake(0, synth.scene_frame("document", index=3))
    assert retaken.status is PageStatus.CAPTURED and session.pages[0] is not first
    assert session.retake(5, synth.scene_frame("document")).status is PageStatus.BAD_INDEX
    assert session.remove(1) and not session.remove(1)
    assert len(session.pages) == 1
    session.clear()
    assert session.pages == [] and not session.to_pdf().ok


def test_page_count_limit() -> None:
    session = DocumentSession(DocumentLimits(max_pages=2))
    frame = synth.scene_frame("document")
    assert session.capture(frame).status is PageStatus.CAPTURED
    assert session.capture(frame).status is PageStatus.CAPTURED
    assert session.capture(frame).status is PageStatus.TOO_MANY_PAGES


def test_page_byte_limit() -> None:
    session = DocumentSession(DocumentLimits(max_page_bytes=40_000))
    result = session.capture(synth.scene_frame("document"))
    assert result.status is PageStatus.CAPTURED and result.page is not None
    assert len(result.page.jpeg) <= 40_000
    tiny = DocumentSession(DocumentLimits(max_page_bytes=300))
    assert tiny.capture(synth.scene_frame("document")).status is PageStatus.TOO_LARGE


def test_pdf_byte_limit_recompresses_or_refuses() -> None:
    noisy = np.random.default_rng(0).integers(0, 255, (1200, 1600, 3), np.uint8)
    session = DocumentSession(DocumentLimits(max_page_bytes=2_000_000, max_pdf_bytes=900_000))
    for _ in range(3):
        assert session.capture(noisy, whole_frame=True).status is PageStatus.CAPTURED
    assert session.total_bytes > 900_000
    out = session.to_pdf()
    assert out.ok and len(out.pdf) <= 900_000 and _pdf_pages(out.pdf) == 3
    strict = DocumentSession(DocumentLimits(max_pdf_bytes=5_000))
    strict.capture(noisy, whole_frame=True)
    refused = strict.to_pdf()
    assert not refused.ok and "limit" in refused.reason


def test_jpeg_compression_bounds() -> None:
    page = synth.document_page()
    assert compress_jpeg(page, 10) is None
    jpeg = compress_jpeg(page, 100_000)
    assert jpeg is not None and len(jpeg) <= 100_000


@pytest.mark.parametrize("shape", [(400, 300, 3), (300, 400, 3)])
def test_pdf_orientation_follows_the_page(shape: tuple[int, int, int]) -> None:
    jpeg = compress_jpeg(np.full(shape, 200, np.uint8), 100_000)
    assert jpeg is not None
    pdf = pages_to_pdf([jpeg])
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf)
    assert box is not None
    width, height = float(box.group(1)), float(box.group(2))
    assert (height > width) == (shape[0] > shape[1])
