"""SVG primitives of the credit profile: escaping, numbers, rings, segments, arcs, fitted text."""

from __future__ import annotations

import math

from credo.transcripts.profile.cells import _XML_INVALID

# --------------------------------------------------------------------------------------------
# SVG helpers


def _esc(text: str) -> str:
    text = _XML_INVALID.sub("", text)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _point(cx: float, cy: float, radius: float, angle: float) -> tuple[float, float]:
    """Return the point at ``angle`` degrees clockwise from twelve o'clock."""
    rad = math.radians(angle)
    return cx + radius * math.sin(rad), cy - radius * math.cos(rad)


def _p(point: tuple[float, float]) -> str:
    return f"{_num(point[0])},{_num(point[1])}"


def _ring_path(cx: float, cy: float, r_in: float, r_out: float) -> str:
    """Return a full annulus (used when one cell is a whole ring)."""
    parts = []
    for r, sweep in ((r_out, 1), (r_in, 0)):
        top, bottom = _point(cx, cy, r, 0), _point(cx, cy, r, 180)
        arc = f"A{_num(r)},{_num(r)} 0 1 {sweep} "
        parts.append(f"M{_p(top)} {arc}{_p(bottom)} {arc}{_p(top)} Z")
    return " ".join(parts)


def _segment_path(
    cx: float,
    cy: float,
    r_in: float,
    r_out: float,
    a0: float,
    a1: float,
    gap0: float,
    gap1: float,
) -> str:
    """Return an annular segment from ``a0`` to ``a1`` degrees.

    ``gap0``/``gap1`` are half-gutters in user units cut from each side, so gutters keep a constant
    width from the inner edge to the outer edge. A segment too thin for its gutters is drawn
    without them rather than dropped.
    """
    if a1 - a0 >= 359.999 and not gap0 and not gap1:
        return _ring_path(cx, cy, r_in, r_out)

    def inset(r: float, gap: float) -> float:
        return math.degrees(math.asin(min(1.0, gap / r))) if gap else 0.0

    o0, o1 = a0 + inset(r_out, gap0), a1 - inset(r_out, gap1)
    i0, i1 = a0 + inset(r_in, gap0), a1 - inset(r_in, gap1)
    if o1 - o0 <= 0.05 or i1 - i0 <= 0.05:
        o0, o1, i0, i1 = a0, a1, a0, a1
    large_out = 1 if o1 - o0 > 180 else 0
    large_in = 1 if i1 - i0 > 180 else 0
    return (
        f"M{_p(_point(cx, cy, r_out, o0))} "
        f"A{_num(r_out)},{_num(r_out)} 0 {large_out} 1 {_p(_point(cx, cy, r_out, o1))} "
        f"L{_p(_point(cx, cy, r_in, i1))} "
        f"A{_num(r_in)},{_num(r_in)} 0 {large_in} 0 {_p(_point(cx, cy, r_in, i0))} Z"
    )


def _arc_path(cx: float, cy: float, r: float, a0: float, a1: float) -> str:
    """Return an open arc (a line to be stroked)."""
    if a1 - a0 >= 359.999:
        top, bottom = _point(cx, cy, r, 0), _point(cx, cy, r, 180)
        arc = f"A{_num(r)},{_num(r)} 0 1 1 "
        return f"M{_p(top)} {arc}{_p(bottom)} {arc}{_p(top)}"
    large = 1 if a1 - a0 > 180 else 0
    return (
        f"M{_p(_point(cx, cy, r, a0))} A{_num(r)},{_num(r)} 0 {large} 1 {_p(_point(cx, cy, r, a1))}"
    )


# Advance widths of Arial / Liberation Sans in thousandths of an em, to wrap labels without a font
# engine. Characters not listed count as 0.6 em.
_WIDTHS: dict[str, int] = {
    **dict.fromkeys("ijl'|", 222),
    **dict.fromkeys(" ftI.,:;!/\\[]", 278),
    **dict.fromkeys('r()-`"', 333),
    **dict.fromkeys("cksvxyzJ", 500),
    **dict.fromkeys("abdeghnopqu0123456789$", 556),
    **dict.fromkeys("FTZ", 611),
    **dict.fromkeys("ABEKPSVXY&", 667),
    **dict.fromkeys("wCDHNRU", 722),
    **dict.fromkeys("GOQ", 778),
    **dict.fromkeys("mM", 833),
    "L": 556,
    "W": 944,
    "—": 1000,
    "…": 1000,
}


def _text_width(text: str, font_size: float) -> float:
    # A little slack for fallback fonts that run wider than Arial.
    return sum(_WIDTHS.get(ch, 600) for ch in text) / 1000 * font_size * 1.06


def _wrap(text: str, width: float, font_size: float, max_lines: int) -> list[str] | None:
    """Return ``text`` broken into at most ``max_lines`` lines, or None if a word does not fit."""
    lines: list[str] = []
    for word in text.split():
        if _text_width(word, font_size) > width:
            return None
        if lines and _text_width(f"{lines[-1]} {word}", font_size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines if len(lines) <= max_lines else None


def _truncate(text: str, width: float, font_size: float) -> str:
    if _text_width(text, font_size) <= width:
        return text
    while text and _text_width(text + "…", font_size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _fit_label(
    text: str, width: float, font_size: float, max_lines: int
) -> tuple[list[str], float]:
    """Return the label's lines and font size: wrap, then shrink a little, then cut with '…'."""
    text = " ".join(text.split())
    for scale in (1.0, 0.92, 0.84):
        lines = _wrap(text, width, font_size * scale, max_lines)
        if lines is not None:
            return lines, font_size * scale
    size = font_size * 0.84
    words = text.split()
    lines = []
    for _ in range(max_lines):
        if not words:
            break
        line = words.pop(0)
        while words and _text_width(f"{line} {words[0]}", size) <= width:
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words:
        lines[-1] = lines[-1] + " " + " ".join(words)
    return [_truncate(line, width, size) for line in lines], size
