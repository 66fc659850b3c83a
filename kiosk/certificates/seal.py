"""The round official seal, drawn as vectors from the issuer's text.

A red ring, the issuer's name around the upper arc, a five-pointed star, and a line under the
star. In the demo profile the line reads 样章 (specimen) so no printout can pass for a real seal.
"""

from __future__ import annotations

import math

from reportlab.lib.colors import Color
from reportlab.pdfgen.canvas import Canvas

SEAL_RED = Color(0.85, 0.08, 0.08)
SPECIMEN_LINE = "样章"
OFFICIAL_LINE = "证明专用章"
ARC_SPAN_DEGREES = 270.0


def _star(canvas: Canvas, cx: float, cy: float, outer: float) -> None:
    inner = outer * 0.382
    path = canvas.beginPath()
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = math.radians(90 + i * 36)
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        if i == 0:
            path.moveTo(x, y)
        else:
            path.lineTo(x, y)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)


def draw_seal(canvas: Canvas, cx: float, cy: float, radius: float, issuer: str, font: str,
              *, specimen: bool) -> None:
    """Draw the seal centred at (cx, cy)."""
    canvas.saveState()
    canvas.setFillColor(SEAL_RED)
    canvas.setStrokeColor(SEAL_RED)
    canvas.setFillAlpha(0.88)
    canvas.setStrokeAlpha(0.88)
    canvas.setLineWidth(radius * 0.05)
    canvas.circle(cx, cy, radius * 0.95, stroke=1, fill=0)
    _star(canvas, cx, cy + radius * 0.02, radius * 0.28)

    text = issuer.strip() or "示例机关"
    count = len(text)
    span = min(ARC_SPAN_DEGREES, 24.0 * count + 20)
    k = math.radians(span) / max(count, 1)
    # Character size such that neighbours along the arc do not overlap (baseline radius shrinks
    # as the characters grow): size = (0.87 R - 0.85 size) * k.
    size = min(radius * 0.26, 0.87 * radius * k / (1 + 0.85 * k))
    arc_radius = radius * 0.87 - size * 0.85
    start = 90 + span / 2 - math.degrees(k) / 2
    step = math.degrees(k)
    for i, char in enumerate(text):
        angle = start - i * step
        rad = math.radians(angle)
        canvas.saveState()
        canvas.translate(cx + arc_radius * math.cos(rad), cy + arc_radius * math.sin(rad))
        canvas.rotate(angle - 90)
        canvas.setFont(font, size)
        canvas.drawCentredString(0, 0, char)
        canvas.restoreState()

    line = SPECIMEN_LINE if specimen else OFFICIAL_LINE
    canvas.setFont(font, radius * (0.26 if specimen else 0.17))
    canvas.drawCentredString(cx, cy - radius * 0.52, line)
    canvas.restoreState()
