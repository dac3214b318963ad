"""The legend of the credit profile: `render_legend_svg`."""

from __future__ import annotations

import math

from credo.transcripts.profile.cells import _FONT, _HEX_COLOUR, _ID_PREFIX, _TEXT, ProfileCell
from credo.transcripts.profile.patterns import _cell_paths, _pattern_defs
from credo.transcripts.profile.svg import _esc, _fit_label, _num, _truncate

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
