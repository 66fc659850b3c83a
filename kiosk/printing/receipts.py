"""Turn a flow's `ReceiptDocument` into the receipt driver's `Receipt` model (pure)."""

from __future__ import annotations

from drivers.receipt.model import Align, Feed, QrCode, Receipt, ReceiptItem, Rule, TextLine
from drivers.receipt.model import label_value_line as _label_value
from flows.documents import ReceiptDocument

RECEIPT_WIDTH_CHARS = 32


def receipt_from_document(doc: ReceiptDocument, *, reprint_code: str = "",
                          width_chars: int = RECEIPT_WIDTH_CHARS) -> Receipt:
    """Title (double size), label/value lines, notes, QR payload, reprint code, footer, cut."""
    items: list[ReceiptItem] = [
        TextLine(doc.title, Align.CENTER, bold=True, width=2, height=2),
        Rule(),
    ]
    items += [TextLine(_label_value(label, value, width_chars)) for label, value in doc.lines]
    if reprint_code:
        items.append(TextLine(_label_value("打印码", reprint_code, width_chars), bold=True))
    if doc.notes:
        items.append(Rule())
        items += [TextLine(note) for note in doc.notes]
    if doc.qr:
        items += [Feed(1), QrCode(doc.qr)]
    if doc.footer:
        items += [Feed(1), TextLine(doc.footer, Align.CENTER)]
    return Receipt(tuple(items), width_chars=width_chars)
