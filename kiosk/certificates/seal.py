"""The round official seal, drawn as vectors from the issuer's text.

A red ring, the issuer's name around the upper arc, a five-pointed star, and a line under the
star. In the demo profile the line reads 样章 (specimen) so no printout can pass for a real seal.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from reportlab.lib.colors import Color
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

SEAL_RED = Color(0.85, 0.08, 0.08)
SPECIMEN_LINE = "样章"
OFFICIAL_LINE = "证明专用章"
ARC_SPAN_DEGREES = 270.0


def _star_ops(cx: float, cy: float, outer: float) -> str:
    inner = outer * 0.382
    ops = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = math.radians(90 + i * 36)
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        ops.append(f"{x:.3f} {y:.3f} {'m' if i == 0 else 'l'}")
    return " ".join(ops) + " h f"


def _ring_ops(radius: float) -> str:
    """A circle of ``radius`` around the origin, four Bezier quarters (as reportlab's)."""
    k = 0.5522847498 * radius
    r = radius
    return (f"{r:.3f} 0 m {r:.3f} {k:.3f} {k:.3f} {r:.3f} 0 {r:.3f} c "
            f"{-k:.3f} {r:.3f} {-r:.3f} {k:.3f} {-r:.3f} 0 c "
            f"{-r:.3f} {-k:.3f} {-k:.3f} {-r:.3f} 0 {-r:.3f} c "
            f"{k:.3f} {-r:.3f} {r:.3f} {-k:.3f} {r:.3f} 0 c h S")


@dataclass(frozen=True, slots=True)
class _SealLayout:
    """What does not change between two certificates of one issuer: the ring and the star as
    PDF operators (centre at the origin), and where each character of the arc goes."""

    vectors: str
    size: float
    #: (character, text matrix a b c d e f) relative to the centre
    arc: tuple[tuple[str, tuple[float, float, float, float, float, float]], ...]


@functools.lru_cache(maxsize=32)
def _layout(text: str, radius: float, font: str) -> _SealLayout:
    count = len(text)
    span = min(ARC_SPAN_DEGREES, 24.0 * count + 20)
    k = math.radians(span) / max(count, 1)
    # Character size such that neighbours along the arc do not overlap (baseline radius shrinks
    # as the characters grow): size = (0.87 R - 0.85 size) * k.
    size = min(radius * 0.26, 0.87 * radius * k / (1 + 0.85 * k))
    arc_radius = radius * 0.87 - size * 0.85
    start = 90 + span / 2 - math.degrees(k) / 2
    step = math.degrees(k)
    arc = []
    for i, char in enumerate(text):
        angle = start - i * step
        rad = math.radians(angle)
        turn = math.radians(angle - 90)
        cos, sin = math.cos(turn), math.sin(turn)
        half = pdfmetrics.stringWidth(char, font, size) / 2  # centred on its point of the arc
        x = arc_radius * math.cos(rad) - half * cos
        y = arc_radius * math.sin(rad) - half * sin
        arc.append((char, (cos, sin, -sin, cos, x, y)))
    vectors = (f"{radius * 0.05:.3f} w " + _ring_ops(radius * 0.95) + "\n"
               + _star_ops(0.0, radius * 0.02, radius * 0.28))
    return _SealLayout(vectors, size, tuple(arc))


def draw_seal(canvas: Canvas, cx: float, cy: float, radius: float, issuer: str, font: str,
              *, specimen: bool) -> None:
    """Draw the seal centred at (cx, cy): its geometry is computed once per issuer (cached),
    drawn as one literal path and one text object."""
    layout = _layout(issuer.strip() or "示例机关", radius, font)
    canvas.saveState()
    canvas.setFillColor(SEAL_RED)
    canvas.setStrokeColor(SEAL_RED)
    canvas.setFillAlpha(0.88)
    canvas.setStrokeAlpha(0.88)
    canvas.addLiteral(f"q 1 0 0 1 {cx:.3f} {cy:.3f} cm\n{layout.vectors}\nQ")
    text = canvas.beginText()
    text.setFont(font, layout.size)
    for char, (a, b, c, d, e, f) in layout.arc:
        text.setTextTransform(a, b, c, d, cx + e, cy + f)
        text.textOut(char)
    line = SPECIMEN_LINE if specimen else OFFICIAL_LINE
    line_size = radius * (0.26 if specimen else 0.17)
    text.setFont(font, line_size)
    text.setTextTransform(1, 0, 0, 1,
                          cx - pdfmetrics.stringWidth(line, font, line_size) / 2,
                          cy - radius * 0.52)
    text.textOut(line)
    canvas.drawText(text)
    canvas.restoreState()
