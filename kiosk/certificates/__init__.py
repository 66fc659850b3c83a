"""Certificates: render a `CertificateDocument` to an A4 PDF with a signed verification QR code.

Workflow: `keys.load_signer(data_dir)` gives the terminal's Ed25519 signer (generated on first use
in the demo profile, its public key published beside it); `render.render_certificate(doc, signer)`
returns the PDF bytes and the signed payload; `verify` (the `kiosk verify-certificate` command)
finds the QR code in a PDF or a photo and checks it offline against the public key.
"""

from typing import TYPE_CHECKING, Any

from kiosk.certificates.payload import CertificateClaim, VerifyOutcome, certificate_digest

if TYPE_CHECKING:
    from kiosk.certificates.render import RenderedCertificate, render_certificate


def __getattr__(name: str) -> Any:
    """The renderer (reportlab, numpy, zxing-cpp) loads at the first print, not at start-up."""
    if name in ("RenderedCertificate", "render_certificate"):
        from kiosk.certificates import render

        return getattr(render, name)
    raise AttributeError(name)


__all__ = [
    "CertificateClaim",
    "RenderedCertificate",
    "VerifyOutcome",
    "certificate_digest",
    "render_certificate",
]
