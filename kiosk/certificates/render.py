"""Render a `CertificateDocument` to an A4 PDF (reportlab, embedded CJK font subset).

Layout is computed first as a list of blocks with known heights, then paginated (a long table
continues on the next page with its header repeated) and drawn; the closing block (issuing body,
issue date, seal, verification QR code) always stays together on the last page. Every page
carries the serial number and "第 i 页 共 n 页". The canvas is invariant (no creation time or
random document id), so the same document renders to the same bytes.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import zxingcpp
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from flows.documents import CertificateDocument, DocumentTable
from kiosk.certificates.fonts import register_font, wrap_text
from kiosk.certificates.keys import CertificateSigner
from kiosk.certificates.payload import CertificateClaim, sign_claim
from kiosk.certificates.seal import draw_seal

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 56.0  # ~20 mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
BODY_TOP = PAGE_HEIGHT - 150.0
BODY_BOTTOM = 64.0
TITLE_SIZE = 22.0
TEXT_SIZE = 12.0
TEXT_LEADING = 21.0
TABLE_SIZE = 10.0
TABLE_ROW = 18.0
NOTE_SIZE = 9.5
NOTE_LEADING = 15.0
QR_SIZE = 120.0
#: QR version 10 (57x57 modules): error correction M holds 311 alphanumeric characters; a
#: certificate's payload is ~280 (payload.py: key id, serial, kind, date, masked id, digest,
#: signature in base32).
QR_VERSION = 10
SEAL_RADIUS = 58.0
CLOSING_HEIGHT = 185.0
GREY = Color(0.92, 0.92, 0.92)
WATERMARK_RED = Color(0.85, 0.1, 0.1)
USAGE_GREY = Color(0.35, 0.35, 0.35)

Draw = Callable[[Canvas, float], None]  # (canvas, y of the block's top edge)


@dataclass(frozen=True, slots=True)
class RenderedCertificate:
    """The PDF and the signed payload printed in its QR code."""

    pdf: bytes
    payload: str
    digest: str
    pages: int

    def __repr__(self) -> str:
        return f"RenderedCertificate(pages={self.pages}, bytes={len(self.pdf)})"


@dataclass(slots=True)
class _Block:
    height: float
    draw: Draw
    table: DocumentTable | None = None  # a row of this table: repeat its header after a break
    header_of: DocumentTable | None = None  # this block is the header row of that table


def _text_block(font: str, text: str, size: float, leading: float, x: float = MARGIN,
                indent: float = 0.0) -> list[_Block]:
    blocks = []
    for i, line in enumerate(wrap_text(text, font, size, CONTENT_WIDTH - (x - MARGIN) - indent)):
        offset = 0.0 if i == 0 else indent

        def draw(c: Canvas, top: float, line: str = line, offset: float = offset) -> None:
            c.setFont(font, size)
            c.drawString(x + offset, top - size, line)

        blocks.append(_Block(leading, draw))
    return blocks


def _field_blocks(font: str, label: str, value: str) -> list[_Block]:
    label_text = f"{label}："
    label_width = pdfmetrics.stringWidth(label_text, font, TEXT_SIZE)
    lines = wrap_text(value, font, TEXT_SIZE, CONTENT_WIDTH - label_width)
    blocks = []
    for i, line in enumerate(lines):
        def draw(c: Canvas, top: float, line: str = line, first: bool = i == 0) -> None:
            c.setFont(font, TEXT_SIZE)
            if first:
                c.drawString(MARGIN, top - TEXT_SIZE, label_text)
            c.drawString(MARGIN + label_width, top - TEXT_SIZE, line)

        blocks.append(_Block(TEXT_LEADING, draw))
    return blocks


def _column_widths(font: str, table: DocumentTable) -> list[float]:
    natural = []
    for col, name in enumerate(table.columns):
        cells = [name] + [row[col] if col < len(row) else "" for row in table.rows]
        natural.append(max(pdfmetrics.stringWidth(c, font, TABLE_SIZE) for c in cells) + 12)
    total = sum(natural) or 1.0
    return [CONTENT_WIDTH * w / total for w in natural]


def _row_draw(font: str, cells: tuple[str, ...], widths: list[float], header: bool) -> Draw:
    # Fit and centre each cell once, at layout time; drawing is then one literal path (the
    # grid, written once here as PDF operators relative to the row's top) and one text object.
    placed: list[tuple[float, str]] = []
    x = MARGIN
    for i, width in enumerate(widths):
        text = cells[i] if i < len(cells) else ""
        text_width = pdfmetrics.stringWidth(text, font, TABLE_SIZE)
        while text and text_width > width - 6:
            text = text[:-1]
            text_width = pdfmetrics.stringWidth(text, font, TABLE_SIZE)
        placed.append((x + (width - text_width) / 2, text))
        x += width
    dividers = [MARGIN + sum(widths[:i]) for i in range(1, len(widths))]
    grid = _row_grid(tuple(round(d, 3) for d in dividers), header)

    def draw(c: Canvas, top: float) -> None:
        bottom = top - TABLE_ROW
        c.addLiteral(f"q 1 0 0 1 0 {top:.3f} cm\n{grid}\nQ")
        text = c.beginText()
        text.setFont(font, TABLE_SIZE)
        for cell_x, cell in placed:
            text.setTextOrigin(cell_x, bottom + 5.5)
            text.textOut(cell)
        c.drawText(text)

    return draw


@functools.lru_cache(maxsize=64)
def _row_grid(dividers: tuple[float, ...], header: bool) -> str:
    """A table row's grey fill (header) and ruling as PDF operators, the row's top at y=0:
    the same for every row of a table, so it is written once."""
    ops = []
    if header:
        ops.append(f"{GREY.red:.2f} g {MARGIN:.3f} {-TABLE_ROW:.3f} {CONTENT_WIDTH:.3f} "
                   f"{TABLE_ROW:.3f} re f 0 g")
    ops.append(f"0.5 w {MARGIN:.3f} {-TABLE_ROW:.3f} {CONTENT_WIDTH:.3f} {TABLE_ROW:.3f} re")
    ops += [f"{d:.3f} 0 m {d:.3f} {-TABLE_ROW:.3f} l" for d in dividers]
    ops.append("S")
    return "\n".join(ops)


def _table_blocks(font: str, table: DocumentTable) -> tuple[_Block, list[_Block]]:
    widths = _column_widths(font, table)
    header = _Block(TABLE_ROW, _row_draw(font, table.columns, widths, header=True),
                    header_of=table)
    rows = [_Block(TABLE_ROW, _row_draw(font, row, widths, header=False), table)
            for row in table.rows]
    return header, rows


def qr_modules(payload: str) -> np.ndarray:
    """The QR code's modules for ``payload`` (error correction M) as a boolean array, dark =
    True. Encoded by zxing-cpp in C++: the pure-Python encoder took 3-10 ms of an 11 ms
    certificate; every decoder reads the mask it picks (docs/adr/0780-touch-to-drawn.md)."""
    try:  # the fixed version: every certificate's code has the same size, found at once
        code = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level="M",
                                       version=QR_VERSION)
    except ValueError:  # a longer payload than any certificate kind has today: the next size
        code = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    return np.asarray(code.to_image(scale=1, add_quiet_zones=False)) < 128


def qr_matrix(payload: str) -> list[list[bool]]:
    """`qr_modules` as lists (for tests and the print benchmark)."""
    return qr_modules(payload).tolist()  # type: ignore[no-any-return]


def _qr_draw(c: Canvas, payload: str, x: float, y: float, size: float) -> None:
    modules = qr_modules(payload)  # alphanumeric mode
    # One 1-bit image mask, inline, scaled to ``size``: each module is one sample, so at any
    # printer resolution it is an exact square (no interpolation: /I false, the default), and
    # the page's content is ~1 KB instead of one rectangle per dark run. A sample 0 paints.
    count = modules.shape[0]
    rows = np.packbits(~modules, axis=1)  # dark -> 0, each row padded to whole bytes
    c.addLiteral(f"q 0 g {size:.3f} 0 0 {size:.3f} {x:.3f} {y:.3f} cm\n"
                 f"BI /W {count} /H {count} /IM true /BPC 1 /F /AHx ID\n"
                 f"{rows.tobytes().hex()}>\nEI Q")


def _closing_block(font: str, doc: CertificateDocument, payload: str, specimen: bool) -> _Block:
    def draw(c: Canvas, top: float) -> None:
        right = PAGE_WIDTH - MARGIN
        issuer_y = top - 70
        date_text = f"{doc.issue_date.year}年{doc.issue_date.month}月{doc.issue_date.day}日"
        c.setFont(font, TEXT_SIZE + 1)
        c.drawRightString(right - 20, issuer_y, doc.issuer)
        c.drawRightString(right - 20, issuer_y - 24, date_text)
        issuer_width = pdfmetrics.stringWidth(doc.issuer, font, TEXT_SIZE + 1)
        draw_seal(c, right - 20 - issuer_width / 2, issuer_y - 4, SEAL_RADIUS,
                  doc.seal_text or doc.issuer, font, specimen=specimen)
        qr_y = top - 12 - QR_SIZE
        _qr_draw(c, payload, MARGIN, qr_y, QR_SIZE)
        c.setFont(font, 8.5)
        c.drawString(MARGIN, qr_y - 18, "扫码核验：kiosk verify-certificate")
        c.drawString(MARGIN, qr_y - 30, f"编号 {doc.serial}")

    return _Block(CLOSING_HEIGHT, draw)


def _layout(font: str, doc: CertificateDocument, payload: str, specimen: bool) -> list[_Block]:
    blocks: list[_Block] = []
    blocks += _field_blocks(font, "姓名", doc.holder_name)
    blocks += _field_blocks(font, "公民身份号码", doc.holder_id_number)
    for label, value in doc.fields:
        blocks += _field_blocks(font, label, value)
    if doc.table is not None and doc.table.columns:
        blocks.append(_Block(10.0, lambda c, top: None))
        header, rows = _table_blocks(font, doc.table)
        blocks.append(header)
        blocks += rows
    if doc.notes:
        blocks.append(_Block(12.0, lambda c, top: None))
        blocks += _text_block(font, "说明：", NOTE_SIZE, NOTE_LEADING)
        for i, note in enumerate(doc.notes, 1):
            blocks += _text_block(font, f"{i}. {note}", NOTE_SIZE, NOTE_LEADING, indent=12)
    blocks.append(_closing_block(font, doc, payload, specimen))
    return blocks


def _paginate(blocks: list[_Block]) -> list[list[tuple[_Block, float]]]:
    pages: list[list[tuple[_Block, float]]] = [[]]
    y = BODY_TOP
    headers: dict[int, _Block] = {}
    for block in blocks:
        if block.header_of is not None:
            headers[id(block.header_of)] = block
        if y - block.height < BODY_BOTTOM and pages[-1]:
            pages.append([])
            y = BODY_TOP
            header = headers.get(id(block.table)) if block.table is not None else None
            if header is not None:
                pages[-1].append((header, y))
                y -= header.height
        pages[-1].append((block, y))
        y -= block.height
    return pages


def _draw_chrome(c: Canvas, font: str, doc: CertificateDocument, page: int, total: int,
                 specimen: bool) -> None:
    if specimen:
        c.saveState()
        c.setFillColor(WATERMARK_RED)
        c.setFillAlpha(0.10)
        c.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        c.rotate(35)
        c.setFont(font, 96)
        c.drawCentredString(0, 0, "样  章")
        c.setFont(font, 26)
        c.drawCentredString(0, -50, "演示打印 · 不作正式证明")
        c.restoreState()
    if doc.usage:
        _draw_usage(c, font, doc.usage)
    c.saveState()
    title = doc.title if page == 1 else f"{doc.title}（续）"
    text = c.beginText()
    text.setFont(font, TITLE_SIZE)
    text.setTextRenderMode(2)  # fill and stroke: a bold title from a single-weight font
    c.setLineWidth(0.6)
    text.setTextOrigin((PAGE_WIDTH - pdfmetrics.stringWidth(title, font, TITLE_SIZE)) / 2,
                       PAGE_HEIGHT - 92)
    text.textOut(title)
    c.drawText(text)
    c.restoreState()
    c.setFont(font, 10)
    c.drawRightString(PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 122, f"证明编号：{doc.serial}")
    c.setLineWidth(0.8)
    c.line(MARGIN, PAGE_HEIGHT - 130, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 130)
    c.setFont(font, 9)
    c.drawCentredString(PAGE_WIDTH / 2, 34, f"第 {page} 页 共 {total} 页")
    c.drawString(MARGIN, 34, doc.serial)


def _draw_usage(c: Canvas, font: str, usage: str) -> None:
    """A reused licence's usage watermark (national guide for electronic licence copies): the
    first clause tiled diagonally over the page, the whole line (purpose, validity) in red
    under the header rule, so that no part of the page can be cut out without it."""
    clause = usage.split(" · ")[0]
    c.saveState()
    c.setFillColor(USAGE_GREY)
    c.setFillAlpha(0.16)
    c.setFont(font, 20)
    c.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    c.rotate(30)
    for row in range(-7, 8):
        offset = (row % 2) * 160.0
        for column in range(-2, 3):
            c.drawCentredString(column * 340.0 + offset, row * 95.0, clause)
    c.restoreState()
    c.saveState()
    c.setFillColor(WATERMARK_RED)
    size = 10.5
    while size > 7 and pdfmetrics.stringWidth(usage, font, size) > CONTENT_WIDTH:
        size -= 0.5
    c.setFont(font, size)
    c.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 144, usage)
    c.restoreState()


def render_certificate(doc: CertificateDocument, signer: CertificateSigner, *,
                       specimen: bool = True) -> RenderedCertificate:
    """Render ``doc`` to A4 PDF bytes with its signed verification QR code and seal."""
    font = register_font()
    claim = CertificateClaim.for_document(doc, signer.key_id)
    payload = sign_claim(claim, signer.private_key)
    pages = _paginate(_layout(font, doc, payload, specimen))
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1,
                    initialFontName=font, initialFontSize=TEXT_SIZE)
    canvas.setTitle(doc.title)
    canvas.setAuthor(doc.issuer)
    canvas.setSubject(f"{doc.kind} {doc.serial}")
    canvas.setCreator("kiosk")
    for number, placed in enumerate(pages, 1):
        _draw_chrome(canvas, font, doc, number, len(pages), specimen)
        for block, top in placed:
            block.draw(canvas, top)
        canvas.showPage()
    canvas.save()
    return RenderedCertificate(buffer.getvalue(), payload, claim.digest_hex, len(pages))
