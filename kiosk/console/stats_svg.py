"""Charts of the 统计 pages drawn on the server as SVG text (docs/adr/0742): no script, no
library, readable Chinese labels (the console's CJK font), every label escaped. Each chart has a
<title> and an aria-label, and its figures are also in a table next to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

FONT = "'WenQuanYi Micro Hei','Noto Sans CJK SC','Microsoft YaHei',sans-serif"
BLUE, GREEN, GREY, RED = "#0b4f8a", "#1f7a4d", "#9aa5b1", "#b42318"
#: 非常满意 .. 非常不满意 (score 5 .. 1).
LEVEL_COLOURS = {5: "#1f7a4d", 4: "#4c9f70", 3: "#c9a227", 2: "#e07b39", 1: "#b42318"}


def _svg(width: float, height: float, title: str, body: list[str]) -> Markup:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{escape(title)}" font-family="{FONT}" font-size="13">'
            f'<title>{escape(title)}</title>')
    return Markup(head + "".join(body) + "</svg>")  # every text is escaped


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = 13,
          fill: str = "#1f2933") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
            f'fill="{fill}">{escape(text)}</text>')


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    step = 10 ** (len(str(int(value))) - 1)
    return float(((int(value) // step) + 1) * step)


def daily_bars(title: str, labels: Sequence[str], series: Sequence[tuple[str, str,
               Sequence[int]]], width: int = 880, height: int = 260) -> Markup:
    """Grouped vertical bars per day: ``series`` = (name, colour, values per label)."""
    left, right, top, bottom = 48, 12, 34, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_max(max((max(v, default=0) for _, _, v in series), default=0))
    body = [_text(left, 18, title, size=15)]
    for i, (name, colour, _) in enumerate(series):  # legend
        x = width - right - 130 * (len(series) - i)
        body.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{colour}"/>')
        body.append(_text(x + 16, 19, name))
    for k in range(5):  # grid and scale
        y = top + plot_h - plot_h * k / 4
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
                    'stroke="#e4e7eb"/>')
        body.append(_text(left - 6, y + 4, f"{int(peak * k / 4)}", "end", 11, "#52606d"))
    n = max(len(labels), 1)
    slot = plot_w / n
    bar = max(1.0, slot * 0.8 / max(len(series), 1))
    every = -(-n // 16)  # at most 16 labels
    for i, label in enumerate(labels):
        x0 = left + slot * i + slot * 0.1
        for j, (name, colour, values) in enumerate(series):
            v = values[i] if i < len(values) else 0
            h = plot_h * v / peak
            body.append(f'<rect x="{x0 + bar * j:.1f}" y="{top + plot_h - h:.1f}" '
                        f'width="{bar:.1f}" height="{h:.1f}" fill="{colour}">'
                        f'<title>{escape(label)} {escape(name)} {v}</title></rect>')
        if i % every == 0:
            body.append(_text(x0 + slot * 0.4, height - bottom + 16, label, "middle", 11))
    return _svg(width, height, title, body)


def hbars(title: str, rows: Sequence[tuple[str, int]], colour: str = BLUE,
          width: int = 560, label_width: int = 260) -> Markup:
    """Horizontal bars, one row per (label, value), largest first as given."""
    row_h, top = 26, 30
    height = top + row_h * max(len(rows), 1) + 8
    peak = _nice_max(max((v for _, v in rows), default=0))
    body = [_text(0, 18, title, size=15)]
    if not rows:
        body.append(_text(0, top + 16, "暂无数据", fill="#52606d"))
    plot = width - label_width - 60
    for i, (label, value) in enumerate(rows):
        y = top + row_h * i
        shown = label if len(label) <= 20 else label[:19] + "…"
        body.append(_text(label_width - 8, y + 17, shown, "end"))
        w = plot * value / peak
        body.append(f'<rect x="{label_width}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" '
                    f'fill="{colour}"><title>{escape(label)} {value}</title></rect>')
        body.append(_text(label_width + w + 6, y + 17, str(value)))
    return _svg(width, height, title, body)


def level_bars(title: str, rows: Sequence[tuple[str, dict[int, int]]], labels: dict[int, str],
               width: int = 880, label_width: int = 240) -> Markup:
    """Stacked 100 % bars of 好差评 levels per row (service, terminal or month)."""
    row_h, top = 26, 52
    height = top + row_h * max(len(rows), 1) + 8
    body = [_text(0, 18, title, size=15)]
    for i, score in enumerate(sorted(labels, reverse=True)):  # legend
        lx = label_width + 110 * i
        body.append(f'<rect x="{lx}" y="28" width="12" height="12" '
                    f'fill="{LEVEL_COLOURS[score]}"/>')
        body.append(_text(lx + 16, 39, labels[score], size=12))
    if not rows:
        body.append(_text(0, top + 16, "暂无评价", fill="#52606d"))
    plot = width - label_width - 70
    for i, (label, levels) in enumerate(rows):
        y = top + row_h * i
        total = sum(levels.values())
        shown = label if len(label) <= 18 else label[:17] + "…"
        body.append(_text(label_width - 8, y + 17, shown, "end"))
        x = float(label_width)
        for score in sorted(labels, reverse=True):
            n = levels.get(score, 0)
            if not n or not total:
                continue
            w = plot * n / total
            body.append(f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" '
                        f'fill="{LEVEL_COLOURS[score]}"><title>{escape(label)} '
                        f'{escape(labels[score])} {n}</title></rect>')
            x += w
        good = sum(n for s, n in levels.items() if s >= 3)
        body.append(_text(label_width + plot + 6, y + 17,
                          f"{good * 100 / total:.1f}%" if total else "—"))
    return _svg(width, height, title, body)


def rate_line(title: str, points: Sequence[tuple[str, float | None]], width: int = 880,
              height: int = 220) -> Markup:
    """满意率 per month as a line (0-100 %); a month without ratings leaves a gap."""
    left, right, top, bottom = 64, 48, 30, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    body = [_text(left, 18, title, size=15)]
    for pct in (0, 25, 50, 75, 100):
        y = top + plot_h - plot_h * pct / 100
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
                    'stroke="#e4e7eb"/>')
        body.append(_text(left - 6, y + 4, f"{pct}%", "end", 11, "#52606d"))
    n = max(len(points), 1)
    step = plot_w / max(n - 1, 1)
    path: list[str] = []
    for i, (label, value) in enumerate(points):
        x = left + step * i
        body.append(_text(x, height - bottom + 18, label, "middle", 11))
        if value is None:
            path.append("")
            continue
        y = top + plot_h - plot_h * value
        path.append(f"{x:.1f},{y:.1f}")
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{GREEN}"><title>'
                    f'{escape(label)} {value * 100:.1f}%</title></circle>')
    runs = " ".join(path).split("  ")
    for run in runs:
        pts = run.strip()
        if pts.count(",") > 1:
            body.append(f'<polyline points="{pts}" fill="none" stroke="{GREEN}" '
                        'stroke-width="2"/>')
    return _svg(width, height, title, body)
