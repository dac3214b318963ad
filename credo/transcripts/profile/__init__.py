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

Modules: `cells` (the data and its text alternatives), `colour`, `svg` (primitives), `patterns`,
`chart` (`render_profile_svg`), `legend` (`render_legend_svg`).
"""

from credo.transcripts.profile.cells import _FONT as _FONT
from credo.transcripts.profile.cells import _HEX_COLOUR as _HEX_COLOUR
from credo.transcripts.profile.cells import _ID_PREFIX as _ID_PREFIX
from credo.transcripts.profile.cells import _MUTED as _MUTED
from credo.transcripts.profile.cells import _NOT_STARTED_STROKE as _NOT_STARTED_STROKE
from credo.transcripts.profile.cells import _SAFE_HREF as _SAFE_HREF
from credo.transcripts.profile.cells import _TEXT as _TEXT
from credo.transcripts.profile.cells import _XML_INVALID as _XML_INVALID
from credo.transcripts.profile.cells import LEVELS as LEVELS
from credo.transcripts.profile.cells import STATE_WORDS as STATE_WORDS
from credo.transcripts.profile.cells import STATES as STATES
from credo.transcripts.profile.cells import Level as Level
from credo.transcripts.profile.cells import ProfileArea as ProfileArea
from credo.transcripts.profile.cells import ProfileCell as ProfileCell
from credo.transcripts.profile.cells import State as State
from credo.transcripts.profile.cells import _check_areas as _check_areas
from credo.transcripts.profile.cells import _describe as _describe
from credo.transcripts.profile.cells import cell_name as cell_name
from credo.transcripts.profile.cells import profile_summary as profile_summary
from credo.transcripts.profile.cells import profile_table as profile_table
from credo.transcripts.profile.chart import _centre as _centre
from credo.transcripts.profile.chart import _Label as _Label
from credo.transcripts.profile.chart import _label_svg as _label_svg
from credo.transcripts.profile.chart import _layout_labels as _layout_labels
from credo.transcripts.profile.chart import _ordered as _ordered
from credo.transcripts.profile.chart import _spread as _spread
from credo.transcripts.profile.chart import _tracks_for as _tracks_for
from credo.transcripts.profile.chart import render_profile_svg as render_profile_svg
from credo.transcripts.profile.colour import _contrast as _contrast
from credo.transcripts.profile.colour import _hex as _hex
from credo.transcripts.profile.colour import _ink as _ink
from credo.transcripts.profile.colour import _luminance as _luminance
from credo.transcripts.profile.colour import _mark as _mark
from credo.transcripts.profile.colour import _mix as _mix
from credo.transcripts.profile.colour import _rgb as _rgb
from credo.transcripts.profile.legend import render_legend_svg as render_legend_svg
from credo.transcripts.profile.patterns import _cell_paths as _cell_paths
from credo.transcripts.profile.patterns import _pattern_defs as _pattern_defs
from credo.transcripts.profile.svg import _WIDTHS as _WIDTHS
from credo.transcripts.profile.svg import _arc_path as _arc_path
from credo.transcripts.profile.svg import _esc as _esc
from credo.transcripts.profile.svg import _fit_label as _fit_label
from credo.transcripts.profile.svg import _num as _num
from credo.transcripts.profile.svg import _p as _p
from credo.transcripts.profile.svg import _point as _point
from credo.transcripts.profile.svg import _ring_path as _ring_path
from credo.transcripts.profile.svg import _segment_path as _segment_path
from credo.transcripts.profile.svg import _text_width as _text_width
from credo.transcripts.profile.svg import _truncate as _truncate
from credo.transcripts.profile.svg import _wrap as _wrap

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
