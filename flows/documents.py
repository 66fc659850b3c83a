"""Documents a flow asks the kiosk to print: certificates (A4) and receipts (thermal).

The engine fills these from a service's template and the platform's answers; the kiosk renders
them (reportlab for certificates, ESC/POS for receipts). Plain data, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class DocumentTable:
    """A table on a certificate (e.g. monthly payments)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class CertificateAdditions:
    """What a service's template adds to the platform's content: the printed title, extra
    label/value lines and notes. Sent with the issue request and kept by the platform with the
    serial, so a reissue anywhere prints exactly the same document."""

    title: str = ""
    fields: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CertificateDocument:
    """One certificate to render on A4 and print.

    ``serial`` is issued by the platform and must never be printed twice on two documents.
    ``verification`` is the payload the kiosk signs into the QR code (no full personal data:
    serial, kind, issue date, masked holder id, and a digest of the printed content).
    """

    kind: str  # e.g. "social_insurance_payment"
    title: str  # e.g. 社会保险参保缴费证明
    serial: str
    holder_name: str
    holder_id_number: str
    issuer: str  # issuing body, printed beside the seal
    issue_date: date
    fields: tuple[tuple[str, str], ...] = ()  # (label, value) pairs
    table: DocumentTable | None = None
    notes: tuple[str, ...] = ()
    seal_text: str = ""  # text around the seal image (usually the issuer)
    usage: str = ""  # a licence copy's usage watermark (此件仅供办理政务服务事项时使用 ...)

    def __repr__(self) -> str:
        return f"CertificateDocument(kind={self.kind}, serial={self.serial})"


@dataclass(frozen=True, slots=True)
class ReceiptDocument:
    """One thermal receipt: a title, label/value lines, notes, an optional QR payload."""

    title: str
    lines: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    qr: str = ""
    footer: str = ""

    def __repr__(self) -> str:
        return f"ReceiptDocument(title={self.title!r})"
