"""Server-drawn SVG charts for the improvement pages: no script, no inline style (the CSP refuses
both), every text escaped. Each chart has a table beside it on the page with the same numbers."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

PALETTE = ("#0b3d91", "#b35900", "#2e7d32", "#6a1b9a", "#00695c", "#8d6e63", "#455a64")


def bars(rows: Sequence[tuple[str, float | None]], *, title: str, unit: str = "%") -> str:
    """Horizontal bars, one per (label, value); a hidden or missing value draws a note, no bar.
    Values in [0, 1] for unit "%" (drawn as percentages), else on their own scale."""
    width, label_w, row_h = 640, 240, 26
    height = 30 + row_h * max(len(rows), 1)
    values = [v for _, v in rows if v is not None]
    top = 1.0 if unit == "%" else max(values + [1.0])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'class="imp-chart" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for k, (label, value) in enumerate(rows):
        y = 20 + k * row_h
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" font-size="13" '
            f'fill="#222">{escape(label)}</text>'
        )
        if value is None:
            parts.append(
                f'<text x="{label_w + 4}" y="{y + 16}" font-size="12" fill="#555">'
                "hidden or none</text>"
            )
            continue
        w = max(1.0, (width - label_w - 70) * (value / top if top else 0))
        shown = f"{value * 100:.0f}%" if unit == "%" else f"{value:.1f}{unit}"
        parts.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" '
            f'fill="{PALETTE[0]}"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 16}" font-size="12" fill="#222">'
            f"{escape(shown)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def lines(
    columns: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], *, title: str
) -> str:
    """A line per (label, values over `columns`) on a 0–100% axis; gaps where a value is hidden."""
    width, height, left, right, top, bottom = 640, 300, 50, 170, 20, 50
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(columns)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (1 - v)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'class="imp-chart" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#ddd"/><text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" '
            f'font-size="11" fill="#444">{int(tick * 100)}%</text>'
        )
    for i, name in enumerate(columns):
        parts.append(
            f'<text x="{x(i):.1f}" y="{height - bottom + 16}" text-anchor="middle" '
            f'font-size="10" fill="#444">{escape(name)}</text>'
        )
    for k, (label, values) in enumerate(series):
        colour = PALETTE[k % len(PALETTE)]
        dash = "" if k % 2 == 0 else ' stroke-dasharray="6 3"'
        run: list[str] = []
        for i, v in enumerate(values):
            if v is None:
                if len(run) > 1:
                    parts.append(
                        f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} '
                        f'points="{" ".join(run)}"/>'
                    )
                run = []
                continue
            run.append(f"{x(i):.1f},{y(v):.1f}")
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}"/>')
        if len(run) > 1:
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} '
                f'points="{" ".join(run)}"/>'
            )
        ly = top + 14 + 18 * k
        parts.append(
            f'<line x1="{width - right + 10}" x2="{width - right + 30}" y1="{ly - 4}" '
            f'y2="{ly - 4}" stroke="{colour}" stroke-width="2"{dash}/>'
            f'<text x="{width - right + 36}" y="{ly}" font-size="11" fill="#222">'
            f"{escape(label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
