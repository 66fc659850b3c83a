"""Paths to bundled assets (fonts, images, sounds)."""

from __future__ import annotations

from kiosk import REPO_ROOT

ASSETS_DIR = REPO_ROOT / "assets"
#: The bundled Simplified-Chinese TrueType font (WenQuanYi Micro Hei, Apache-2.0), used for every
#: label in Kivy and every PDF in reportlab. Face 0 of the collection is the proportional face.
FONT_PATH = ASSETS_DIR / "fonts" / "wqy-microhei.ttc"
FONT_NAME = "WenQuanYiMicroHei"
