"""The credit profile: a round chart of credit areas, drawn as a standalone SVG.

Each credit area is a sector of a circle ("theatre in the round"). Foundational credits are cells on
the inner ring and advanced credits cells on the outer ring. A cell's state is carried by fill,
pattern and outline together, never by colour alone:

- earned: the area colour with a pattern over it (diagonal lines on the inner ring, dots on the
  outer ring) and a solid outline;
- in progress: a pale tint, a faint hatch running the other way, and a dashed outline in a
  darkened area colour;
- not started: white with a thin grey outline.

The same drawing serves a school's journey profile (domains as areas, school competencies as
cells). The module is pure Python with no Django imports so it can be tested and reused alone.

Only elements WeasyPrint draws are emitted (svg, defs, pattern, g, a, path, circle, text, title,
desc), all styling is in presentation attributes, and every id starts with ``id_prefix`` so that
several profiles can share one HTML page.

Sector sizing: areas get *equal* sectors by default. The reader's question is "how far along is
this student in each area?", which equal sectors answer at a glance (a half-filled sector is half
done); every area keeps the same room for its name; and the shape of the chart depends on neither
the student nor the size of the school's catalogue. Counts stay readable because cells are
discrete. ``sectors="proportional"`` sizes sectors by the busier ring of each area instead.

Inside a ring, earned cells come first by default (``order="state"``), so each ring fills clockwise
like a gauge; an area with too many cells for one ring splits that ring into concentric tracks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

__all__ = [
    "LEVELS",
    "STATES",
    "STATE_WORDS",
    "ProfileArea",
    "cell_name",
    "ProfileCell",
    "profile_summary",
    "profile_table",
    "render_legend_svg",
    "render_profile_svg",
]

Level = Literal["foundational", "advanced"]
State = Literal["earned", "in_progress", "not_started"]

LEVELS: tuple[Level, ...] = ("foundational", "advanced")
STATES: tuple[State, ...] = ("earned", "in_progress", "not_started")
STATE_WORDS: dict[str, str] = {
    "earned": "earned",
    "in_progress": "in progress",
    "not_started": "not started",
}

_HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_ID_PREFIX = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
# Links may point at pages of this site or at http(s) pages; anything else (javascript:, data:)
# could run code inside the SVG.
_SAFE_HREF = re.compile(r"^(?:https?://|/|\.{0,2}/|#|\?)|^[A-Za-z0-9_\-.~%]+(?:[/?#]|$)")
# Characters XML 1.0 does not allow, even escaped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_TEXT = "#1f2328"  # labels: 15:1 on white
_MUTED = "#57606a"  # secondary text: 6.4:1 on white
_NOT_STARTED_STROKE = "#949494"  # 3:1 on white, the floor for meaningful graphics
_FONT = "Helvetica, Arial, 'Liberation Sans', sans-serif"


# --------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class ProfileCell:
    """One credit (or journey competency) in an area."""

    label: str
    level: Level
    state: State
    detail: str = ""
    href: str | None = None

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {self.level!r}")
        if self.state not in STATES:
            raise ValueError(f"state must be one of {', '.join(STATES)}, not {self.state!r}")
        if self.href is not None and not _SAFE_HREF.match(self.href.strip()):
            raise ValueError(f"href must be an http(s) or relative URL, not {self.href!r}")


@dataclass(frozen=True)
class ProfileArea:
    """A credit area (or journey domain): a sector of the chart."""

    name: str
    colour: str
    cells: tuple[ProfileCell, ...] = ()
    short: str = ""

    def __post_init__(self) -> None:
        if not _HEX_COLOUR.match(self.colour):
            raise ValueError(f"colour must be a hex colour like #1f77b4, not {self.colour!r}")
        if not self.name.strip():
            raise ValueError("an area needs a name")
        # Accept a list for convenience but keep the dataclass hashable and immutable.
        object.__setattr__(self, "cells", tuple(self.cells))


def cell_name(area: ProfileArea, cell: ProfileCell) -> str:
    """Return how a cell is named to assistive technology: area, credit, level and status."""
    return f"{area.name}: {cell.label}, {cell.level}, {STATE_WORDS[cell.state]}"


def _check_areas(areas: Iterable[ProfileArea]) -> tuple[ProfileArea, ...]:
    areas = tuple(areas)
    seen: set[str] = set()
    for area in areas:
        if area.name in seen:
            raise ValueError(f"area names must be unique; {area.name!r} appears twice")
        seen.add(area.name)
    return areas


# --------------------------------------------------------------------------------------------
# Text alternatives


def profile_table(areas: Iterable[ProfileArea]) -> list[dict[str, str | None]]:
    """Return one row per cell for the chart's text alternative.

    Rows come area by area, foundational before advanced, cells in the caller's order. Each row
    has ``area``, ``level``, ``label``, ``state`` (words: "earned", "in progress", "not started"),
    ``state_key`` (the code, for CSS classes), ``detail`` and ``href``.
    """
    rows: list[dict[str, str | None]] = []
    for area in _check_areas(areas):
        for level in LEVELS:
            rows.extend(
                {
                    "area": area.name,
                    "level": level,
                    "label": cell.label,
                    "state": STATE_WORDS[cell.state],
                    "state_key": cell.state,
                    "detail": cell.detail,
                    "href": cell.href,
                }
                for cell in area.cells
                if cell.level == level
            )
    return rows


def profile_summary(areas: Iterable[ProfileArea]) -> dict[str, dict[str, dict[str, int]]]:
    """Return counts per area and level.

    ``{area name: {"foundational": {"earned", "in_progress", "not_started", "total"},
    "advanced": {...}}}``, in the areas' order.
    """
    summary: dict[str, dict[str, dict[str, int]]] = {}
    for area in _check_areas(areas):
        per_level = summary[area.name] = {}
        for level in LEVELS:
            cells = [cell for cell in area.cells if cell.level == level]
            counts: dict[str, int] = {
                state: sum(1 for cell in cells if cell.state == state) for state in STATES
            }
            counts["total"] = len(cells)
            per_level[level] = counts
    return summary


def _describe(areas: Sequence[ProfileArea]) -> str:
    """Return the sentences for the SVG's <desc>: totals, then each area."""
    summary = profile_summary(areas)

    def phrase(counts: dict[str, int], level: str) -> str:
        if not counts["total"]:
            return f"no {level}"
        text = f"{level} {counts['earned']} of {counts['total']} earned"
        if counts["in_progress"]:
            text += f", {counts['in_progress']} in progress"
        return text

    totals = {
        level: {
            key: sum(per_area[level][key] for per_area in summary.values())
            for key in (*STATES, "total")
        }
        for level in LEVELS
    }
    sentences = ["Overall: " + "; ".join(phrase(totals[level], level) for level in LEVELS) + "."]
    sentences.extend(
        f"{name}: " + "; ".join(phrase(per_area[level], level) for level in LEVELS) + "."
        for name, per_area in summary.items()
    )
    if not areas:
        sentences = ["No areas."]
    return " ".join(sentences)


# --------------------------------------------------------------------------------------------
# Colour


def _rgb(colour: str) -> tuple[int, int, int]:
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _mix(colour: str, other: str, amount: float) -> str:
    """Return ``colour`` moved ``amount`` (0..1) of the way towards ``other``."""
    (r1, g1, b1), (r2, g2, b2) = _rgb(colour), _rgb(other)
    return _hex((r1 + (r2 - r1) * amount, g1 + (g2 - g1) * amount, b1 + (b2 - b1) * amount))


def _ink(colour: str, *, against: str = "#ffffff", ratio: float = 3.0) -> str:
    """Return the area colour, darkened just enough to stand out against white as a line."""
    for step in range(21):
        candidate = _mix(colour, "#000000", step * 0.05)
        if _contrast(candidate, against) >= ratio:
            return candidate.lower()
    return "#000000"


def _mark(colour: str) -> str:
    """Return white or near-black, whichever shows better as a pattern on the area colour."""
    return "#ffffff" if _contrast("#ffffff", colour) >= _contrast("#1a1a1a", colour) else "#1a1a1a"


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


# --------------------------------------------------------------------------------------------
# Patterns


def _pattern_defs(p: str, index: int, colour: str, tile: float) -> list[str]:
    """Return the three overlay patterns of one area: earned foundational, earned advanced, in progress.

    Patterns hold only the marks, on a transparent tile; the colour underneath comes from the
    cell's own fill. A pattern with a painted background shows hairline seams between tiles in
    several PDF viewers.
    """
    mark = _mark(colour)
    ink = _ink(colour)
    t = tile
    # "/" lines: one across the tile plus the two corner pieces so the hatch joins up seamlessly.
    diagonal = (
        f"M0,{_num(t)} L{_num(t)},0 M{_num(-t / 4)},{_num(t / 4)} L{_num(t / 4)},{_num(-t / 4)} "
        f"M{_num(3 * t / 4)},{_num(5 * t / 4)} L{_num(5 * t / 4)},{_num(3 * t / 4)}"
    )
    dot = _num(t * 0.17)
    big = t * 1.5
    # "\" lines, wider apart and fainter: in progress must not read as earned.
    back = (
        f"M0,0 L{_num(big)},{_num(big)} M{_num(-big / 4)},{_num(3 * big / 4)} "
        f"L{_num(big / 4)},{_num(5 * big / 4)} M{_num(3 * big / 4)},{_num(-big / 4)} "
        f"L{_num(5 * big / 4)},{_num(big / 4)}"
    )
    return [
        f'<pattern id="{p}-a{index}-ef" patternUnits="userSpaceOnUse" '
        f'width="{_num(t)}" height="{_num(t)}">'
        f'<path d="{diagonal}" stroke="{mark}" stroke-width="{_num(t * 0.2)}" fill="none"/>'
        "</pattern>",
        f'<pattern id="{p}-a{index}-ea" patternUnits="userSpaceOnUse" '
        f'width="{_num(t)}" height="{_num(t)}">'
        f'<circle cx="{_num(t / 4)}" cy="{_num(t / 4)}" r="{dot}" fill="{mark}"/>'
        f'<circle cx="{_num(3 * t / 4)}" cy="{_num(3 * t / 4)}" r="{dot}" fill="{mark}"/>'
        "</pattern>",
        f'<pattern id="{p}-a{index}-ip" patternUnits="userSpaceOnUse" '
        f'width="{_num(big)}" height="{_num(big)}">'
        f'<path d="{back}" stroke="{ink}" stroke-width="{_num(t * 0.1)}" '
        f'stroke-opacity="0.4" fill="none"/>'
        "</pattern>",
    ]


def _cell_paths(
    p: str, index: int, colour: str, cell: ProfileCell, d: str, unit: float, attrs: str = ""
) -> str:
    """Return a cell's path and, unless it is not started, the pattern laid over it.

    The state lives in several attributes at once, so it survives greyscale printing and
    colour-blindness: earned = solid area colour + level pattern + solid outline; in progress =
    pale tint + light hatch + dashed outline; not started = white + thin grey outline.
    """
    ink = _ink(colour)
    if cell.state == "earned":
        style = (
            f'fill="{colour}" stroke="{ink}" stroke-width="{_num(unit * 0.9)}" '
            'stroke-linejoin="round"'
        )
        overlay = "ef" if cell.level == "foundational" else "ea"
    elif cell.state == "in_progress":
        style = (
            f'fill="{_mix(colour, "#ffffff", 0.86)}" stroke="{ink}" '
            f'stroke-width="{_num(unit * 1.3)}" '
            f'stroke-dasharray="{_num(unit * 3.2)} {_num(unit * 2)}" stroke-linejoin="round"'
        )
        overlay = "ip"
    else:
        style = f'fill="#ffffff" stroke="{_NOT_STARTED_STROKE}" stroke-width="{_num(unit * 0.8)}"'
        overlay = ""
    out = f'<path{attrs} d="{d}" {style}/>'
    if overlay:
        out += (
            f'<path class="cp-overlay" d="{d}" fill="url(#{p}-a{index}-{overlay})" '
            'stroke="none" pointer-events="none"/>'
        )
    return out


# --------------------------------------------------------------------------------------------
# The chart


def _ordered(cells: Iterable[ProfileCell], order: str) -> list[ProfileCell]:
    cells = list(cells)
    if order == "state":
        # A stable sort: earned cells first, so each ring fills clockwise like a gauge.
        cells.sort(key=lambda cell: STATES.index(cell.state))
    return cells


def _tracks_for(
    count: int, span: float, r_in: float, r_out: float, gutter: float, min_width: float
) -> int:
    """Return how many concentric tracks a ring needs so no cell is narrower than ``min_width``.

    One track reads best (each ring fills like a gauge), so a ring is split only when an area
    has many cells of that level.
    """
    for tracks in range(1, 5):
        depth = (r_out - r_in - gutter * (tracks - 1)) / tracks
        columns = math.ceil(count / tracks)
        mid = r_in + depth / 2  # the innermost track is the narrowest
        if math.radians(span / columns) * mid - 2 * gutter >= min_width:
            return tracks
    return 4


def render_profile_svg(
    areas: Iterable[ProfileArea],
    *,
    title: str,
    size: int = 420,
    id_prefix: str = "cp",
    show_labels: bool = True,
    sectors: Literal["equal", "proportional"] = "equal",
    order: Literal["state", "given"] = "state",
) -> str:
    """Return the credit profile as a standalone, deterministic SVG string.

    ``size`` is the width in user units; the height is what the names around the chart need
    (``size`` itself when there are no labels). ``show_labels=False`` draws no
    visible text (for small thumbnails); the <title> and <desc> are always there. ``order="state"``
    puts earned cells first in each ring so progress reads as a filled arc; ``order="given"``
    keeps the caller's order, so a cell sits in the same place in every snapshot.
    """
    areas = _check_areas(areas)
    if not _ID_PREFIX.match(id_prefix):
        raise ValueError(f"id_prefix must be a valid XML id start, not {id_prefix!r}")
    if sectors not in ("equal", "proportional"):
        raise ValueError(f"sectors must be 'equal' or 'proportional', not {sectors!r}")
    if order not in ("state", "given"):
        raise ValueError(f"order must be 'state' or 'given', not {order!r}")
    if size < 80:
        raise ValueError("size must be at least 80")

    p = id_prefix
    s = float(size)
    cx = s / 2
    unit = s / 420  # stroke widths and gutters are tuned at 420 and scale with the drawing
    font = s * 0.029
    outer = s * (0.285 if show_labels else 0.47)
    r_hole = outer * 0.33
    rings = {
        "foundational": (r_hole, outer * 0.655),
        "advanced": (outer * 0.70, outer),
    }
    band_in, band_out = outer + 2.5 * unit, outer + 6 * unit
    sector_gap = 2.4 * unit  # half-gutter between areas
    cell_gap = 0.9 * unit  # half-gutter between cells
    track_gap = 1.8 * unit

    weights = [
        max(
            1,
            *(sum(1 for c in area.cells if c.level == level) for level in LEVELS),
        )
        if sectors == "proportional"
        else 1
        for area in areas
    ]
    total_weight = sum(weights) or 1
    spans = [360 * w / total_weight for w in weights]
    starts = [sum(spans[:i]) for i in range(len(spans))]
    single = len(areas) == 1

    # Lay the names out first (relative to the centre) so the drawing is only as tall as it
    # needs to be: names sit left and right, and a square would waste a band top and bottom.
    labels = _layout_labels(areas, starts, spans, cx, band_out, s, font) if show_labels else []
    if show_labels:
        margin = s * 0.012
        above = max([band_out, *(-label.top for label in labels)])
        below = max([band_out, *(label.top + label.height for label in labels)])
        height = math.ceil(above + below + 2 * margin)
        cy = margin + above
    else:
        height, cy = size, s / 2

    title_id, desc_id = f"{p}-title", f"{p}-desc"
    # A picture whose cells are links is a group of named links, not an image: assistive
    # technology treats whatever is inside role="img" as presentational, links included.
    linked = any(c.href for area in areas for c in area.cells)
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{height}" '
        f'viewBox="0 0 {size} {height}" role="{"group" if linked else "img"}" '
        f'aria-labelledby="{title_id} {desc_id}" '
        f'font-family="{_FONT}" class="credit-profile">',
        f'<title id="{title_id}">{_esc(title)}</title>',
        f'<desc id="{desc_id}">{_esc(_describe(areas))}</desc>',
    ]
    defs: list[str] = []
    for index, area in enumerate(areas):
        if any(c.state != "not_started" for c in area.cells):
            defs.extend(_pattern_defs(p, index, area.colour, 6.5 * unit))
    if defs:
        out.append("<defs>" + "".join(defs) + "</defs>")

    for index, (area, start, span) in enumerate(zip(areas, starts, spans, strict=True)):
        out.append(f'<g class="cp-area" id="{p}-area-{index}">')
        edge_gap = cell_gap if single else sector_gap
        for level in LEVELS:
            cells = _ordered((c for c in area.cells if c.level == level), order)
            if not cells:
                continue
            r_in, r_out = rings[level]
            n_tracks = _tracks_for(len(cells), span, r_in, r_out, cell_gap, 7 * unit)
            columns = math.ceil(len(cells) / n_tracks)
            for k, cell in enumerate(cells):
                # Column by column, so earned cells form one clockwise run across all tracks.
                column, track = divmod(k, n_tracks)
                a0 = start + span * column / columns
                a1 = start + span * (column + 1) / columns
                # A short last column shares the ring's full depth instead of leaving a hole.
                in_column = min(n_tracks, len(cells) - column * n_tracks)
                t_depth = (r_out - r_in - track_gap * (in_column - 1)) / in_column
                t_in = r_in + track * (t_depth + track_gap)
                whole = single and columns == 1
                gap0 = 0.0 if whole else (edge_gap if column == 0 else cell_gap)
                gap1 = 0.0 if whole else (edge_gap if column == columns - 1 else cell_gap)
                d = _segment_path(cx, cy, t_in, t_in + t_depth, a0, a1, gap0, gap1)
                tooltip = f"{area.name} — {cell.label}: {STATE_WORDS[cell.state]}"
                if cell.detail:
                    tooltip += f"\n{cell.detail}"
                attrs = (
                    f' class="cp-cell cp-{cell.level} cp-{cell.state.replace("_", "-")}"'
                    f' id="{p}-c{index}-{cell.level[0]}{k}"'
                    f' data-level="{cell.level}" data-state="{cell.state}"'
                )
                # The title sits on the group so the tooltip shows over the overlay too. In a
                # group of links every cell carries its own name (area, credit, level, status),
                # so it reads the same without sight and without colour.
                name = f' aria-label="{_esc(cell_name(area, cell))}"' if linked else ""
                graphic = f' role="img"{name}' if linked and not cell.href else ""
                path = (
                    f'<g class="cp-cell-group"{graphic}><title>{_esc(tooltip)}</title>'
                    f"{_cell_paths(p, index, area.colour, cell, d, unit, attrs)}</g>"
                )
                if cell.href:
                    path = f'<a href="{_esc(cell.href.strip())}"{name}>{path}</a>'
                out.append(path)

        # A thin band in the area colour outside the rings ties the sector to its name, even
        # when nothing in the area is started yet.
        band_gap = 0.0 if single else sector_gap
        band = _segment_path(cx, cy, band_in, band_out, start, start + span, band_gap, band_gap)
        out.append(f'<path class="cp-band" d="{band}" fill="{area.colour}"/>')
        out.append("</g>")

    if show_labels:
        out.extend(_label_svg(labels, p, cy))
        out.extend(_centre(areas, cx, cy, r_hole, font))
    out.append("</svg>")
    return "\n".join(out)


@dataclass(frozen=True)
class _Label:
    name: str
    lines: tuple[str, ...]
    size: float
    anchor: str
    x: float
    top: float  # of the block, relative to the centre of the chart

    @property
    def leading(self) -> float:
        return self.size * 1.2

    @property
    def height(self) -> float:
        return self.leading * len(self.lines)


def _layout_labels(
    areas: Sequence[ProfileArea],
    starts: Sequence[float],
    spans: Sequence[float],
    cx: float,
    radius: float,
    s: float,
    font: float,
) -> list[_Label]:
    """Return where each area's name goes: horizontal text just outside its sector."""
    labels = []
    margin = s * 0.012
    gap = s * 0.018
    for area, start, span in zip(areas, starts, spans, strict=True):
        # One area: put its name at the top rather than wherever 180 degrees lands.
        mid = 0.0 if len(areas) == 1 else start + span / 2
        x, y = _point(cx, 0.0, radius + gap, mid)
        sin, cos = math.sin(math.radians(mid)), math.cos(math.radians(mid))
        if sin > 0.3:
            anchor, room, max_lines = "start", s - margin - x, 3
        elif sin < -0.3:
            anchor, room, max_lines = "end", x - margin, 3
        else:
            chord = 2 * (radius + gap) * math.sin(math.radians(min(span, 180) / 2))
            anchor, room, max_lines = "middle", min(max(chord, s * 0.22), s * 0.5), 2
        lines, size = _fit_label(area.short or area.name, room, font, max_lines)
        height = size * 1.2 * len(lines)
        # Centre the block on the anchor point, then push it outwards vertically by how far
        # the point is towards the top or bottom, so it never overlaps the rings.
        top = y - height / 2 - cos * height / 2
        labels.append(_Label(area.name, tuple(lines), size, anchor, x, top))
    return _spread(labels, s * 0.008)


def _spread(labels: list[_Label], gap: float) -> list[_Label]:
    """Return the labels with those on the same side pushed apart so none overlap."""
    placed = list(labels)
    for anchor in ("start", "end"):
        side = sorted(
            (i for i, label in enumerate(placed) if label.anchor == anchor),
            key=lambda i: placed[i].top,
        )
        bottom = -math.inf
        for i in side:
            label = placed[i]
            if label.top < bottom + gap:
                label = placed[i] = replace(label, top=bottom + gap)
            bottom = label.top + label.height
    return placed


def _label_svg(labels: Sequence[_Label], p: str, cy: float) -> list[str]:
    out = []
    for index, label in enumerate(labels):
        out.append(f'<g class="cp-label" id="{p}-label-{index}"><title>{_esc(label.name)}</title>')
        first_baseline = cy + label.top + label.size * 0.8
        out.extend(
            f'<text x="{_num(label.x)}" y="{_num(first_baseline + i * label.leading)}" '
            f'text-anchor="{label.anchor}" font-size="{_num(label.size)}" font-weight="600" '
            f'fill="{_TEXT}">{_esc(line)}</text>'
            for i, line in enumerate(label.lines)
        )
        out.append("</g>")
    return out


def _centre(
    areas: Sequence[ProfileArea], cx: float, cy: float, r_hole: float, font: float
) -> list[str]:
    """Return the count of foundational cells earned, set in the middle of the chart."""
    found = [c for a in areas for c in a.cells if c.level == "foundational"]
    if not found:
        return []
    earned = sum(1 for c in found if c.state == "earned")
    figure = f"{earned}/{len(found)}"
    big = min(font * 1.55, r_hole * 1.5 / max(1, _text_width(figure, 1.0)))
    small = font * 0.78
    return [
        f'<g class="cp-centre"><text x="{_num(cx)}" y="{_num(cy + big * 0.18)}" '
        f'text-anchor="middle" font-size="{_num(big)}" font-weight="700" '
        f'fill="{_TEXT}">{figure}</text>',
        f'<text x="{_num(cx)}" y="{_num(cy + big * 0.18 + small * 1.35)}" text-anchor="middle" '
        f'font-size="{_num(small)}" fill="{_MUTED}">foundational</text></g>',
    ]


# --------------------------------------------------------------------------------------------
# Legend


def render_legend_svg(
    *,
    id_prefix: str = "cp",
    width: int = 420,
    colour: str = "#4f6d7a",
    columns: int = 2,
) -> str:
    """Return a legend for the credit profile as a standalone SVG string.

    It shows the four cell kinds with words (earned foundational, earned advanced, in progress,
    not started) in a neutral colour, and says which ring is which. Its ids start with
    ``{id_prefix}-lg`` so a legend can sit next to a profile with the same prefix.
    """
    if not _ID_PREFIX.match(id_prefix):
        raise ValueError(f"id_prefix must be a valid XML id start, not {id_prefix!r}")
    if not _HEX_COLOUR.match(colour):
        raise ValueError(f"colour must be a hex colour like #4f6d7a, not {colour!r}")
    if columns not in (1, 2, 4):
        raise ValueError("columns must be 1, 2 or 4")
    p = f"{id_prefix}-lg"
    unit = width / 420
    font = 12.2 * unit
    swatch = 20 * unit
    row_height = 28 * unit
    entries = [
        (ProfileCell("", "foundational", "earned"), "Foundational, earned (inner ring)"),
        (ProfileCell("", "advanced", "earned"), "Advanced, earned (outer ring)"),
        (ProfileCell("", "foundational", "in_progress"), "In progress"),
        (ProfileCell("", "foundational", "not_started"), "Not started"),
    ]
    rows = math.ceil(len(entries) / columns)
    height = rows * row_height + 4 * unit
    column_width = width / columns
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{_num(height)}" '
        f'viewBox="0 0 {width} {_num(height)}" role="img" aria-labelledby="{p}-title" '
        f'font-family="{_FONT}" class="credit-profile-legend">',
        f'<title id="{p}-title">Key: inner ring foundational, outer ring advanced; '
        "earned cells filled with a pattern, in-progress cells dashed, "
        "not-started cells empty</title>",
        "<defs>" + "".join(_pattern_defs(p, 0, colour, 6.5 * unit)) + "</defs>",
    ]
    # One type size for every entry (the smallest that lets each fit), so the key reads evenly.
    room = column_width - swatch - 12 * unit
    size = min(_fit_label(words, room, font, 1)[1] for _, words in entries)
    fitted = [_truncate(words, room, size) for _, words in entries]
    for i, (cell, _words) in enumerate(entries):
        row, column = divmod(i, columns)
        x = column * column_width + 2 * unit
        y = row * row_height + 4 * unit
        square = (
            f"M{_num(x + unit)},{_num(y + unit)} H{_num(x + swatch)} "
            f"V{_num(y + swatch)} H{_num(x + unit)} Z"
        )
        out.append(
            f'<g class="cp-legend-item cp-{cell.state.replace("_", "-")}">'
            f"{_cell_paths(p, 0, colour, cell, square, unit)}"
            f'<text x="{_num(x + swatch + 7 * unit)}" y="{_num(y + swatch / 2 + size * 0.36)}" '
            f'font-size="{_num(size)}" fill="{_TEXT}">{_esc(fitted[i])}</text></g>'
        )
    out.append("</svg>")
    return "\n".join(out)
