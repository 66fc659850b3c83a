"""Photo decoders for tests, loaded by dotted path like a vendor's would be."""

from __future__ import annotations

import hashlib


def decode(wlt: bytes) -> bytes:
    """Stand-in decoder: a recognisable 'image' derived from the WLT bytes."""
    return b"IMG:" + hashlib.sha256(wlt).digest()[:8]


class BrokenDecoder:
    """A decoder whose vendor binary fails on every photo."""

    def __call__(self, wlt: bytes) -> bytes:
        raise RuntimeError("licence check failed")
