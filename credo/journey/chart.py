"""Progress over time: one stacked bar per snapshot, drawn as a standalone SVG. Pure, no Django.

Each bar holds every competency of the version: earned foundational at the bottom (solid), earned
advanced above it (solid with dots), then in progress (hatched, dashed outline) and not started
(empty, thin outline). Segments differ by pattern as well as colour, and every bar carries its
numbers as text, so the chart reads without colour. WeasyPrint draws it too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

_TEXT = "#1f2328"
_MUTED = "#57606a"
_GRID = "#d0d7de"
_INK = "#1f5f8b"
_FONT = "Helvetica, Arial, 'Liberation Sans', sans-serif"

SEGMENTS = (
    ("found", "Foundational earned"),
    ("adv", "Advanced earned"),
    ("progress", "In progress"),
    ("none", "Not started"),
)


def _esc(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _n(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _values(counts: dict) -> dict[str, int]:
    f, a = counts.get("foundational", {}), counts.get("advanced", {})
    return {
        "found": int(f.get("earned", 0)),
        "adv": int(a.get("earned", 0)),
        "progress": int(f.get("in_progress", 0)) + int(a.get("in_progress", 0)),
        "none": int(f.get("not_started", 0)) + int(a.get("not_started", 0)),
    }


def chart_rows(points: Sequence[dict]) -> list[dict]:
    """Return the chart's text alternative: per point its label, date and the four counts."""
    return [
        {"label": p["label"], "date": p.get("date", ""), **_values(p["counts"])} for p in points
    ]


def render_progress_svg(
    points: Sequence[dict],
    *,
    title: str,
    id_prefix: str = "jp",
    width: int = 640,
    height: int = 260,
) -> str:
    """Return the chart for `points` ({"label", "date", "counts"}) as an SVG string."""
    p = id_prefix
    rows = chart_rows(points)
    total = max([sum(r[k] for k, _ in SEGMENTS) for r in rows] or [1]) or 1
    left, right, top, bottom = 34.0, 12.0, 50.0, 46.0
    plot_w, plot_h = width - left - right, height - top - bottom
    desc = (
        "; ".join(
            f"{r['label']}: {r['found']} foundational and {r['adv']} advanced earned, "
            f"{r['progress']} in progress, {r['none']} not started"
            for r in rows
        )
        or "No snapshots yet."
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{p}-t {p}-d" '
        f'font-family="{_FONT}" class="journey-progress">',
        f'<title id="{p}-t">{_esc(title)}</title>',
        f'<desc id="{p}-d">{_esc(desc)}</desc>',
        "<defs>",
        f'<pattern id="{p}-dots" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="{_INK}"/><circle cx="3" cy="3" r="1.3" fill="#ffffff"/></pattern>',
        f'<pattern id="{p}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#e3edf5"/>'
        f'<path d="M0,0 V6" stroke="{_INK}" stroke-width="1.4"/></pattern>',
        "</defs>",
    ]
    # Legend across the top.
    x = left
    for key, words in SEGMENTS:
        out.append(
            f'<g class="jp-key">{_swatch(p, key, x, 8, 14, 14)}'
            f'<text x="{_n(x + 19)}" y="{_n(19)}" font-size="11.5" fill="{_TEXT}">{words}</text></g>'
        )
        x += 19 + len(words) * 6.4 + 18
    # Grid and axis.
    step = max(1, math.ceil(total / 4))
    for v in range(0, total + 1, step):
        y = top + plot_h - plot_h * v / total
        out.append(
            f'<path d="M{_n(left)},{_n(y)} H{_n(width - right)}" stroke="{_GRID}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{_n(left - 6)}" y="{_n(y + 4)}" font-size="10.5" text-anchor="end" '
            f'fill="{_MUTED}">{v}</text>'
        )
    if not rows:
        out.append(
            f'<text x="{_n(width / 2)}" y="{_n(top + plot_h / 2)}" font-size="13" text-anchor="middle" '
            f'fill="{_MUTED}">No snapshots yet</text>'
        )
    n = len(rows)
    slot = plot_w / max(n, 1)
    bar = min(56.0, slot * 0.6)
    for i, r in enumerate(rows):
        bx = left + slot * i + (slot - bar) / 2
        y = top + plot_h
        out.append(
            f'<g class="jp-bar"><title>{_esc(r["label"])}: {r["found"] + r["adv"]} earned, '
            f"{r['progress']} in progress, {r['none']} not started</title>"
        )
        for key, _ in SEGMENTS:
            h = plot_h * r[key] / total
            if h <= 0:
                continue
            y -= h
            out.append(_swatch(p, key, bx, y, bar, h))
        earned = r["found"] + r["adv"]
        out.append(
            f'<text x="{_n(bx + bar / 2)}" y="{_n(y - 4)}" font-size="11" text-anchor="middle" '
            f'font-weight="700" fill="{_TEXT}">{earned}</text>'
        )
        label = (
            r["label"]
            if len(r["label"]) * 6.2 <= slot
            else r["label"][: max(3, int(slot / 6.2) - 1)] + "…"
        )
        out.append(
            f'<text x="{_n(bx + bar / 2)}" y="{_n(top + plot_h + 15)}" font-size="11" '
            f'text-anchor="middle" fill="{_TEXT}">{_esc(label)}</text>'
        )
        if r["date"]:
            out.append(
                f'<text x="{_n(bx + bar / 2)}" y="{_n(top + plot_h + 29)}" font-size="10" '
                f'text-anchor="middle" fill="{_MUTED}">{_esc(r["date"])}</text>'
            )
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def _swatch(p: str, key: str, x: float, y: float, w: float, h: float) -> str:
    box = f'x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}"'
    if key == "found":
        return f'<rect {box} fill="{_INK}" stroke="#ffffff" stroke-width="1"/>'
    if key == "adv":
        return f'<rect {box} fill="url(#{p}-dots)" stroke="#ffffff" stroke-width="1"/>'
    if key == "progress":
        return f'<rect {box} fill="url(#{p}-hatch)" stroke="{_INK}" stroke-width="1" stroke-dasharray="3 2"/>'
    return f'<rect {box} fill="#ffffff" stroke="#949494" stroke-width="1"/>'
