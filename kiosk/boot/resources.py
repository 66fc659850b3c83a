"""Paths to bundled assets (fonts, images, sounds).

``KIOSK_FONT_PATH`` may name another CJK TrueType font (a site's own typeface)."""

from __future__ import annotations

import os
from pathlib import Path

from kiosk import REPO_ROOT

ASSETS_DIR = REPO_ROOT / "assets"
#: The bundled Simplified-Chinese TrueType font (WenQuanYi Micro Hei, Apache-2.0), used for every
#: label in Kivy and every PDF in reportlab. Face 0 of the collection is the proportional face.
FONT_PATH = Path(os.environ.get("KIOSK_FONT_PATH", "")) if os.environ.get(
    "KIOSK_FONT_PATH") else ASSETS_DIR / "fonts" / "wqy-microhei.ttc"
FONT_NAME = "WenQuanYiMicroHei"
