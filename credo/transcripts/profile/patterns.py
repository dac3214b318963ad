"""The patterns that tell states apart without colour, and the paths of each cell."""

from __future__ import annotations

from credo.transcripts.profile.cells import _NOT_STARTED_STROKE, ProfileCell
from credo.transcripts.profile.colour import _ink, _mark, _mix
from credo.transcripts.profile.svg import _num

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
