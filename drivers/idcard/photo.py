"""The pluggable photo decoder.

The card photo is 1024 bytes of proprietary WLT data; no open decoder exists, vendors ship
licensed binaries. A decoder is any callable ``(wlt: bytes) -> bytes | None`` returning an
image file (for example a PNG or BMP of 102 x 126 pixels) or None when it cannot decode. It is
named in configuration by a dotted path, ``package.module:attribute`` or
``package.module.attribute``; a class found there is instantiated without arguments. With no
decoder configured the reader keeps no photo at all: the raw bytes are dropped after the read.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

PhotoDecoder = Callable[[bytes], bytes | None]


class PhotoDecoderError(ValueError):
    """The configured decoder cannot be loaded (a configuration error, raised at start)."""


def load_photo_decoder(spec: str | PhotoDecoder | None) -> PhotoDecoder | None:
    """Resolve a dotted path (or pass through a callable); None and "" mean no decoder."""
    if spec is None or spec == "":
        return None
    if callable(spec):
        return spec
    module_name, sep, attribute = spec.partition(":")
    if not sep:
        module_name, _, attribute = spec.rpartition(".")
    if not module_name or not attribute:
        raise PhotoDecoderError(f"photo decoder {spec!r}: expected package.module:attribute")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise PhotoDecoderError(f"photo decoder {spec!r}: cannot import {module_name}: "
                                f"{exc}") from None
    target = getattr(module, attribute, None)
    if target is None:
        raise PhotoDecoderError(f"photo decoder {spec!r}: {module_name} has no {attribute}")
    if isinstance(target, type):
        target = target()
    if not callable(target):
        raise PhotoDecoderError(f"photo decoder {spec!r} is not callable")
    decoder: PhotoDecoder = target
    return decoder


def decode_photo(decoder: PhotoDecoder | None, wlt: bytes) -> bytes | None:
    """Run the decoder; a missing decoder or any failure inside it gives no photo."""
    if decoder is None or not wlt:
        return None
    try:
        image = decoder(wlt)
    except Exception:  # a vendor binary failing must not fail the identity read
        return None
    return image if isinstance(image, bytes) and image else None
