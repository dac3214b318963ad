"""The credit profile chart: `render_profile_svg` and the layout of its labels."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from credo.transcripts.profile.cells import (
    _FONT,
    _ID_PREFIX,
    _MUTED,
    _TEXT,
    LEVELS,
    STATE_WORDS,
    STATES,
    ProfileArea,
    ProfileCell,
    _check_areas,
    _describe,
    cell_name,
)
from credo.transcripts.profile.patterns import _cell_paths, _pattern_defs
from credo.transcripts.profile.svg import _esc, _fit_label, _num, _point, _segment_path, _text_width

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
