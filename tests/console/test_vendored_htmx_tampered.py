"""The vendored htmx is the pinned release from the npm registry (hash as recorded in
VENDORED.md), ships with its licence, and is what the pages load."""

from __future__ import annotations

import hashlib
from pathlib import Path

import kiosk.console

STATIC = Path(kiosk.console.__file__).resolve().parent / "static"
TEMPLATES = Path(kiosk.console.__file__).resolve().parent / "templates"


def test_htmx_matches_the_recorded_hash() -> None:
    recorded = (STATIC / "VENDORED.md").read_text(encoding="utf-8")
    digest = hashlib.sha256((STATIC / "htmx-2.0.11.min.js").read_bytes()).hexdigest()
    assert digest in recorded
    assert "Zero-Clause BSD" in (STATIC / "htmx-LICENSE.txt").read_text(encoding="utf-8")
    assert "/static/htmx-2.0.11.min.js" in (TEMPLATES / "base.html").read_text(encoding="utf-8")
